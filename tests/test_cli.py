"""The ``framelens`` command: bad input gives one line and exit 2, never a traceback."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from framelens.run import cli

ROOT = Path(__file__).resolve().parents[1]


def framelens(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m framelens ...`` in a fresh interpreter, as a user would."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    env.pop("FRAMELENS_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "framelens", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=120)


def assert_one_line_error(proc: subprocess.CompletedProcess, *fragments: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("framelens: error: ")
    for fragment in fragments:
        assert fragment in lines[0]


# ------------------------------------------------------------------ bad input, through a real process


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bad")
    (d / "empty.txt").write_bytes(b"")
    (d / "blank.txt").write_text("  \n\t\n   \n", encoding="utf-8")
    (d / "binary.txt").write_bytes(b"Some text then \x00\x01\x02\xff\xfe\x89PNG\r\n\x1a\n" + bytes(range(256)))
    return {"missing": d / "no-such-corpus", "empty": d / "empty.txt", "blank": d / "blank.txt",
            "binary": d / "binary.txt"}


@pytest.mark.parametrize("case", ["missing", "empty", "blank", "binary"])
@pytest.mark.notebook  # slow (≥ 0.45 s): make test-fast skips it
def test_check_bad_input_is_one_line_and_exit_2(bad_inputs, case):
    path = bad_inputs[case]
    proc = framelens("check", str(path))
    assert_one_line_error(proc, path.name)


@pytest.mark.notebook  # starts a process (make test-fast skips it)
def test_run_bad_corpus_fails_before_any_notebook(bad_inputs, tmp_path):
    proc = framelens("run", "--corpus", str(bad_inputs["missing"]), "--out", str(tmp_path / "o"))
    assert_one_line_error(proc, "no-such-corpus")
    assert not (tmp_path / "o").exists()


@pytest.mark.notebook  # slow (≥ 0.45 s): make test-fast skips it
def test_check_good_corpus(mini_dir):
    proc = framelens("check", str(mini_dir))
    assert proc.returncode == 0, proc.stderr
    assert "3 documents, 3 sources" in proc.stdout
    assert "alpha: Alpha Daily" in proc.stdout


# ------------------------------------------------------------------ the same code in-process (faster)


def run_main(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["run", "--param", "sead=1"], "--param sead: unknown parameter"),
        (["run", "--param", "seed=abc"], "expects int"),
        (["run", "--param", "corpus=x"], "--corpus"),
        (["run", "--param", "seed"], "expected KEY=VALUE"),
        (["run", "--jobs", "0"], "--jobs 0"),
        (["run", "--only", "99_nothing"], "no such notebook"),
    ],
)
def test_run_bad_parameters_exit_2_before_running(capsys, tmp_path, argv, fragment):
    code, out, err = run_main(capsys, *argv, "--out", str(tmp_path / "o"))
    assert code == 2
    assert err.startswith("framelens: error: ") and fragment in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_run_refuses_the_corpus_folder_as_output(capsys, tiny_corpus_dir):
    code, _, err = run_main(capsys, "run", "--corpus", str(tiny_corpus_dir), "--out", str(tiny_corpus_dir))
    assert code == 2 and "corpus folder" in err
    code, _, err = run_main(capsys, "run", "--corpus", str(tiny_corpus_dir), "--out", str(tiny_corpus_dir.parent))
    assert code == 2 and "contain the corpus" in err


@pytest.mark.parametrize("argv", [[], ["run", "--bogus"], ["run", "--jobs", "two"], ["nosuchcommand"]])
def test_usage_errors_exit_2(capsys, argv):
    code, _, err = run_main(capsys, *argv)
    assert code == 2
    assert re.search(r"^framelens( run)?: error: ", err, re.M) and "Traceback" not in err


def test_list_shows_notebooks_and_parameters(capsys):
    code, out, _ = run_main(capsys, "list")
    assert code == 0
    assert "01_corpus_overview" in out
    assert "05_source_profile" in out and "once per source" in out
    assert "    corpus: str = " in out


@pytest.mark.notebook
@pytest.mark.parametrize("attempt", [1, 2])
def test_terminated_run_cleans_up_and_exits_130(tmp_path, attempt):
    """SIGTERM (or Ctrl-C) while kernels run: one line, exit 130, the previous site intact, and no
    staging folder, not even seconds later (a kernel's late write used to re-create it)."""
    import signal
    import time

    out = tmp_path / "out"
    out.mkdir()
    (out / ".framelens-output").write_text("", encoding="utf-8")
    (out / "index.html").write_text("previous site", encoding="utf-8")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.Popen([sys.executable, "-m", "framelens", "run", "--out", str(out)],
                            cwd=ROOT, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:
            if line.startswith("framelens: running"):
                break
        time.sleep(1.0 * attempt)  # kernels started, cells running and writing tables
        proc.send_signal(signal.SIGTERM)
        rest = proc.stderr.read()
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == 130
    assert "framelens: interrupted" in rest and "Traceback" not in rest
    time.sleep(3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert sorted(p.name for p in out.iterdir()) == [".framelens-output", "index.html"]
    assert (out / "index.html").read_text(encoding="utf-8") == "previous site"


@pytest.mark.notebook
def test_second_run_into_the_same_folder_stops_at_once(tmp_path, tiny_corpus_dir):
    """A live run holds a lock beside its output folder: a second run exits 2 naming it."""
    import json
    import time

    out = tmp_path / "out"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    first = subprocess.Popen([sys.executable, "-m", "framelens", "run", "--corpus", str(tiny_corpus_dir),
                              "--out", str(out), "--only", "01"],
                             cwd=ROOT, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    lock = tmp_path / ".out.framelens-lock"
    try:
        for line in first.stderr:
            if line.startswith("framelens: running"):
                break
        assert lock.is_file() and json.loads(lock.read_text())["pid"] == first.pid
        second = framelens("run", "--corpus", str(tiny_corpus_dir), "--out", str(out), "--only", "01")
        assert_one_line_error(second, "another framelens run is writing into this folder", f"PID {first.pid}")
        first.stderr.read()
        assert first.wait(timeout=120) == 0
    finally:
        if first.poll() is None:
            first.kill()
    assert not lock.exists() and (out / "index.html").is_file()
    time.sleep(0.1)


@pytest.mark.notebook
def test_run_with_a_failing_notebook_names_it_and_exits_1(capsys, tmp_path, monkeypatch, tiny_corpus_dir):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from framelens.run import runner

    nbs = tmp_path / "nbs"
    nbs.mkdir()
    for name, code in [("fine", "x = 1"), ("broken", "1 / 0")]:
        nb = new_notebook()
        nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
        params = new_code_cell('corpus = "../seeds"\noutput_dir = "../outputs"')
        params.metadata.tags = ["parameters"]
        nb.cells = [params, new_code_cell(code)]
        nbformat.write(nb, str(nbs / f"{name}.ipynb"))
    monkeypatch.setattr(runner, "NOTEBOOKS", [runner.Notebook("fine", "fine.ipynb"),
                                              runner.Notebook("broken", "broken.ipynb")])
    monkeypatch.setattr(runner, "NOTEBOOKS_DIR", nbs)
    code, out, err = run_main(capsys, "run", "--corpus", str(tiny_corpus_dir), "--out", str(tmp_path / "o"))
    assert code == 1
    assert "framelens: broken failed: cell In [3] `1 / 0`: ZeroDivisionError: division by zero" in err
    assert "(2 reports, 1 failed" in out
    assert (tmp_path / "o" / "reports" / "fine.html").is_file()
    assert (tmp_path / "o" / "reports" / "broken.html").is_file()


# ------------------------------------------------------------------ every loader error, through the CLI (in-process)


def _manifest_case(folder: Path, case: str) -> Path:
    m = folder / "sources.csv"
    text = m.read_text(encoding="utf-8")
    if case == "undecodable":
        (folder / "beta.txt").write_bytes(b"Fine start. \xc3\x28 broken")
    elif case == "missing_file":
        (folder / "beta.txt").unlink()
    elif case == "duplicate_id":
        m.write_text(text.replace("gamma,gamma.txt", "alpha,gamma.txt"), encoding="utf-8")
    elif case == "escaping_path":
        m.write_text(text.replace("beta.txt", "../../etc/passwd"), encoding="utf-8")
    elif case == "missing_columns":
        m.write_text("id,outlet\nalpha,Alpha\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("case,expected", [
    ("undecodable", "beta.txt: not UTF-8 text (undecodable byte 0xc3 at offset 12)"),
    ("missing_file", "sources.csv:3: file 'beta.txt' not found"),
    ("duplicate_id", "sources.csv:4: duplicate id 'alpha' (first on line 2)"),
    ("escaping_path", "sources.csv:3: file '../../etc/passwd' is outside the corpus folder"),
    ("missing_columns", "sources.csv:1: missing required column(s) file (found: id, outlet)"),
])
def test_check_manifest_errors_one_line_exit_2(capsys, tiny_corpus_dir, case, expected):
    folder = _manifest_case(tiny_corpus_dir, case)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert cli.main(["check", str(folder)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("framelens: error: ") and err[0].endswith(expected), err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # input never written


@pytest.mark.parametrize("name,body,expected", [
    ("c.csv", "id,body\n1,hello\n", "c.csv: no 'text' column (found: id, body)"),
    ("c.jsonl", '{"body": "hello"}\n', "c.jsonl: no 'text' field (found: body)"),
])
def test_check_table_without_text_one_line_exit_2(capsys, tmp_path, name, body, expected):
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    assert cli.main(["check", str(p)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0] == f"framelens: error: {p.parent / expected}"


@pytest.mark.notebook
def test_a_crafted_parameter_runs_no_code_through_the_cli(tmp_path, tiny_corpus_dir):
    pwned = tmp_path / "PWNED"
    payload = f"sources=('a\" + str(__import__(\"os\").system(\"touch {pwned}\")) + \"',)"
    proc = framelens("run", "--corpus", str(tiny_corpus_dir), "--out", str(tmp_path / "o"), "--only", "01",
                     "--param", payload)
    assert "Traceback" not in proc.stderr
    assert not pwned.exists()  # the tuple became a list holding one (odd) source id, as data
    proc = framelens("run", "--corpus", str(tiny_corpus_dir), "--out", str(tmp_path / "o2"), "--only", "01",
                     "--param", "sources=b'x'")
    assert_one_line_error(proc, "--param sources", "bytes value is not allowed")
    assert not (tmp_path / "o2").exists()


@pytest.mark.notebook  # slow: whole lens parts or a child process (make test-fast skips it)
def test_file_parameters_resolve_where_the_user_is(tmp_path, tiny_corpus_dir):
    """`--param codebook=my_codebook.toml` names a file in the caller's folder, not notebooks/."""
    proc = framelens("run", "--corpus", str(tiny_corpus_dir), "--out", str(tmp_path / "o"),
                     "--param", "codebook=my_codebook.toml", cwd=tmp_path)
    assert_one_line_error(proc, "--param codebook=my_codebook.toml: no such file", str(tmp_path / "my_codebook.toml"))
    (tmp_path / "my_codebook.toml").write_text("[[frame]]\nid = \n", encoding="utf-8")
    proc = framelens("run", "--corpus", str(tiny_corpus_dir), "--out", str(tmp_path / "o"),
                     "--param", "codebook=my_codebook.toml", cwd=tmp_path)
    assert_one_line_error(proc, "my_codebook.toml:2")
    assert not (tmp_path / "o").exists()

# ------------------------------------------------------------------ loader leftovers (issue 9, item 8)


def _loader_case(tmp_path: Path, case: str) -> tuple[Path, str]:
    """A corpus with one problem, and the end of the one-line error it must give."""
    if case in ("jsonl_number", "jsonl_list", "jsonl_object", "jsonl_bool"):
        value = {"jsonl_number": "42", "jsonl_list": '["a", "b"]', "jsonl_object": '{"a": 1}', "jsonl_bool": "false"}[case]
        kind = {"jsonl_number": "a number (42)", "jsonl_list": 'an array (["a", "b"])',
                "jsonl_object": 'an object ({"a": 1})', "jsonl_bool": "a boolean (false)"}[case]
        p = tmp_path / "c.jsonl"
        p.write_text('{"text": "Fine."}\n{"id": "b", "text": ' + value + "}\n", encoding="utf-8")
        return p, f"c.jsonl:2: 'text' must be a string, found {kind}"
    if case == "jsonl_syntax":
        p = tmp_path / "c.jsonl"
        p.write_text('{"text": "Fine."}\n{"text": "unterminated\n', encoding="utf-8")
        return p, "c.jsonl:2: not valid JSON (Unterminated string starting at column 10)"
    if case == "utf16_truncated":
        p = tmp_path / "c.csv"
        p.write_bytes(b"\xff\xfe" + "id,text\na,Fine text.\n".encode("utf-16-le") + b"\x00")
        return p, "c.csv: not UTF-16 text despite its byte-order mark (truncated data at offset 44)"
    folder = tmp_path / "corpus"  # folder_link_outside
    folder.mkdir()
    (folder / "a.txt").write_text("A fine article. It has two sentences.", encoding="utf-8")
    (tmp_path / "private.txt").write_text("Not part of the corpus.", encoding="utf-8")
    (folder / "b.txt").symlink_to(tmp_path / "private.txt")
    return folder, "b.txt: is a link to a file outside the corpus folder"


@pytest.mark.parametrize("case", ["jsonl_number", "jsonl_list", "jsonl_object", "jsonl_bool", "jsonl_syntax",
                                  "utf16_truncated", "folder_link_outside"])
def test_check_loader_leftovers_one_line_exit_2(capsys, tmp_path, case):
    path, expected = _loader_case(tmp_path, case)
    assert cli.main(["check", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("framelens: error: ") and err[0].endswith(expected), err
    assert " at at " not in err[0]


def test_check_reads_a_utf16_manifest_and_articles(capsys, tiny_corpus_dir):
    for f in tiny_corpus_dir.iterdir():
        f.write_bytes("\ufeff".encode("utf-16-le") + f.read_text(encoding="utf-8").encode("utf-16-le"))
    assert cli.main(["check", str(tiny_corpus_dir)]) == 0
    out = capsys.readouterr().out
    assert "3 documents, 3 sources" in out and "alpha: Alpha Daily" in out


def test_check_prints_counts_with_thousands_separators(capsys, tmp_path):
    # 120 sentences of 11 words ("The <w> met the <w> in the <w> on day <i>.") = 1,320 words
    (tmp_path / "long.txt").write_text(" ".join(f"The minister met the president in the capital on day {i}."
                                                for i in range(120)) + "\n", encoding="utf-8")
    (tmp_path / "short.txt").write_text("A short piece about trade. It has two sentences.\n", encoding="utf-8")
    code, out, _err = run_main(capsys, "check", str(tmp_path))
    assert code == 0
    assert ": 2 documents, 2 sources, 2 paragraphs, 122 sentences, " in out
    assert "  long: long — 1 document, 1,320 words" in out
    assert "  short: short — 1 document, 9 words" in out


def test_an_interrupt_dropped_in_a_finalizer_prints_no_traceback(capsys):
    """Python drops an exception raised in a finalizer and prints it; the CLI's hook keeps an
    interrupt's quiet (the run has noted it) and lets every other one through."""
    from framelens.run import cli

    class Finalized:
        def __init__(self, exc):
            self.exc = exc

        def __del__(self):
            raise self.exc

    old = sys.unraisablehook
    sys.unraisablehook = cli._unraisable
    try:
        Finalized(KeyboardInterrupt())  # dropped at once (no cycle): its finalizer runs here
        assert capsys.readouterr().err == ""
        Finalized(ValueError("kept"))
        assert "ValueError: kept" in capsys.readouterr().err
    finally:
        sys.unraisablehook = old
