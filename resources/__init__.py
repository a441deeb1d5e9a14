"""The program's assets (icons, channel glyphs, the style sheet), shipped as the package
`viewer.resources` (pyproject: [tool.setuptools.package-dir]; the bundle: the PyInstaller
spec), so the code reads them with importlib.resources wherever it runs. A package and not
just a folder because an editable install finds a mapped package only by its __init__.py."""
