"""Static checks for a rune, run by @linkops/forge enhance. Parses only: the rune is never imported or executed.
Usage: python3 rune_check.py FILE  -> prints one JSON object."""
import ast
import json
import os
import py_compile
import sys
import tempfile

SUBPROCESS_CALLS = {"run", "call", "check_call", "check_output", "Popen"}


def dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    return ""


def main(path):
    out = {"compile_error": None, "issues": [], "missing_timeouts": [], "main_guard": False, "has_main": False,
           "has_argparse": False, "has_docstring": False, "has_dry_run": False}
    with tempfile.TemporaryDirectory() as tmp:
        try:
            py_compile.compile(path, cfile=os.path.join(tmp, "x.pyc"), doraise=True)
        except py_compile.PyCompileError as error:
            out["compile_error"] = str(error.msg)[-500:]
            return out
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    tree = ast.parse(source)
    out["has_docstring"] = ast.get_docstring(tree) is not None
    out["has_dry_run"] = "--dry-run" in source
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "main":
            out["has_main"] = True
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare):
            names = [dotted(node.test.left)] + [getattr(c, "value", None) for c in node.test.comparators]
            if "__name__" in names and "__main__" in names:
                out["main_guard"] = True
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if "argparse" in mods:
                out["has_argparse"] = True
        if not isinstance(node, ast.Call):
            continue
        name = dotted(node.func)
        line = node.lineno
        if name in ("eval", "exec"):
            out["issues"].append({"rule": "rune.eval-exec", "severity": "high", "line": line, "message": f"{name}() call"})
        if name in ("os.system", "os.popen"):
            out["issues"].append({"rule": "rune.os-system", "severity": "high", "line": line, "message": f"{name}() runs through a shell"})
        parts = name.split(".")
        if len(parts) == 2 and parts[0] == "subprocess" and parts[1] in SUBPROCESS_CALLS:
            keywords = {k.arg: k.value for k in node.keywords if k.arg}
            shell = keywords.get("shell")
            if isinstance(shell, ast.Constant) and shell.value is True:
                first = node.args[0] if node.args else keywords.get("args")
                literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
                out["issues"].append({
                    "rule": "rune.shell-true" if literal else "rune.shell-interpolation",
                    "severity": "medium" if literal else "high",
                    "line": line,
                    "message": "shell=True with a constant command" if literal else "shell=True with a built command string (injection)",
                })
            if "timeout" not in keywords and parts[1] != "Popen" and not any(isinstance(k, ast.keyword) and k.arg is None for k in node.keywords):
                out["missing_timeouts"].append({"line": node.end_lineno, "col": node.end_col_offset, "call": name})
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
