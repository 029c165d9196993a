"""Build hook: the wheel carries the repository's top-level ``notebooks/`` and ``seeds/``.

The project keeps both folders at the top of the repository (the design card), so they are not
inside the package. When a wheel is built, ``build_py`` copies ``notebooks/*.ipynb`` and every
file of ``seeds/`` byte for byte into ``framelens/_bundled/``, where
``framelens.config.resources_path`` finds them with ``importlib.resources``. An editable install
(``uv sync``) copies nothing: it reads the repository's folders. Everything else is declared in
pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
BUNDLED = {"notebooks": "*.ipynb", "seeds": "*"}  # top-level folder -> files copied


class build_py_bundled(build_py):
    def _bundled_files(self) -> list[tuple[Path, Path]]:
        if getattr(self, "editable_mode", False):
            return []
        target = Path(self.build_lib) / "framelens" / "_bundled"
        return [(src, target / folder / src.name)
                for folder, pattern in BUNDLED.items()
                for src in sorted((HERE / folder).glob(pattern)) if src.is_file()]

    def run(self):
        super().run()
        files = self._bundled_files()
        if not getattr(self, "editable_mode", False) and not any(s.parent.name == "seeds" for s, _ in files):
            raise SystemExit("setup.py: seeds/ not found beside setup.py (is the sdist missing MANIFEST.in?)")
        for src, dst in files:
            self.mkpath(str(dst.parent))
            self.copy_file(str(src), str(dst), preserve_mode=False)

    def get_outputs(self, include_bytecode=True):
        return list(super().get_outputs(include_bytecode)) + [str(d) for _, d in self._bundled_files()]


setup(cmdclass={"build_py": build_py_bundled})
