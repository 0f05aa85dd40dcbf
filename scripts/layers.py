#!/usr/bin/env python3
"""The core's layering rules, read from its source (`scripts/check` runs this).

Usage: layers.py [CRATE_SRC]   (default: core/src next to this script)
       layers.py --self-test   (proves each rule fails on a crate that breaks it)

Rules (ARCHITECTURE.md, "Layers"):
1. No import cycle between the crate's files (modules). An edge is a `crate::`/`super::`/`self::`
   path in non-test code; `pub use` re-exports and `mod` lines are not edges.
2. Layers, bottom-up: wire -> api -> {client, bridge}. A file may use its own layer and those
   below; client and bridge never use each other.
3. One path per public item: the crate root declares modules only (no `pub use`), and only the
   folder modules listed in FACADES re-export, and only from their own private files.
Exit status 1 with one line per violation.
"""
import os, re, sys, tempfile

LAYER_RANK = {"wire": 0, "api": 1, "client": 2, "bridge": 2}
FACADES = {("bridge",), ("wire", "http"), ("wire", "json")}


def modules(src):
    mods = {}
    for root, _, files in os.walk(src):
        for f in files:
            if f.endswith(".rs"):
                rel = os.path.relpath(os.path.join(root, f), src)[:-3].split(os.sep)
                if rel[-1] in ("mod", "lib"):
                    rel = rel[:-1]
                mods[tuple(rel)] = os.path.join(root, f)
    return mods


def strip(text):
    """Drops comments and `#[cfg(test)]` items (a line, or a braced block)."""
    out, skip, pending = [], None, False
    for line in text.split("\n"):
        s = line.strip()
        if skip is not None:
            skip += line.count("{") - line.count("}")
            if skip <= 0:
                skip = None
            continue
        if s.startswith("#[cfg(test)]"):
            pending = True
            continue
        if pending:
            pending = False
            depth = line.count("{") - line.count("}")
            if depth > 0:
                skip = depth
            continue
        if s.startswith("//"):
            continue
        out.append(line)
    return "\n".join(out)


def reexports(mods):
    """(module, name) -> the module a `pub use` takes `name` from (resolved through facades)."""
    out = {}
    for m, f in mods.items():
        text = strip(open(f, encoding="utf-8").read())
        for stmt in re.findall(r"\bpub(?:\([^)]*\))?\s+use\s+([^;]+);", text, flags=re.S):
            stmt = re.sub(r"\s+", "", re.sub(r"\s+as\s+", "@", stmt))
            b = re.match(r"([\w:]*?)\{(.*)\}$", stmt)
            items = [b.group(1) + x for x in b.group(2).split(",") if x] if b else [stmt]
            for it in items:
                segs = [x for x in it.split("::") if x]
                if not segs or segs[-1] in ("*", "self"):
                    continue
                if segs[0] == "crate":
                    base = []
                    segs = segs[1:]
                elif segs[0] == "super":
                    base = list(m[:-1])
                    segs = segs[1:]
                else:
                    base = list(m)
                name = segs[-1].split("@")[-1]
                out[(m, name)] = tuple(base + segs[:-1])
    return out


def edges(src):
    mods = modules(src)
    reexp = reexports(mods)
    def resolve(path, depth=0):
        for n in range(len(path), -1, -1):
            m = tuple(path[:n])
            if m in mods:
                if n < len(path) and (m, path[n]) in reexp and depth < 8:
                    return resolve(list(reexp[(m, path[n])]) + path[n:], depth + 1)
                return m
        return ()
    graph = {m: set() for m in mods}
    for m, f in mods.items():
        text = strip(open(f, encoding="utf-8").read())
        text = re.sub(r"pub(\([^)]*\))?\s+use\s+[^;]*;", "", text, flags=re.S)
        paths = []
        for stmt in re.findall(r"\buse\s+([^;]+);", text, flags=re.S):
            stmt = re.sub(r"\s+", "", stmt)
            b = re.match(r"([\w:]*?)\{(.*)\}$", stmt)
            parts = [b.group(1) + x for x in re.split(r",(?![^{]*\})", b.group(2)) if x] if b else [stmt]
            paths += [re.sub(r"\{.*", "", p) for p in parts]
        paths += [p for p in re.findall(r"\b((?:crate|super|self)(?:::\w+)+)", text)]
        for p in paths:
            segs = [s for s in p.split("::") if s and s != "*"]
            if not segs:
                continue
            if segs[0] == "crate":
                base, rest = [], segs[1:]
            elif segs[0] in ("super", "self"):
                ups = 0
                while segs and segs[0] == "super":
                    ups += 1
                    segs = segs[1:]
                if segs and segs[0] == "self":
                    segs = segs[1:]
                base, rest = list(m[: len(m) - ups]), segs
            elif tuple(list(m) + [segs[0]]) in mods:
                base, rest = list(m), segs
            else:
                continue
            t = resolve(base + rest)
            if t != m:
                graph[m].add(t)
    return mods, graph


def cycles(graph):
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)
    def visit(v):
        index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))
    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def check(src):
    mods, graph = edges(src)
    name = lambda m: "::".join(m) or "crate"
    problems = []
    for comp in cycles(graph):
        problems.append("import cycle: " + " <-> ".join(name(m) for m in comp))
    for m, targets in graph.items():
        if not m or m[0] not in LAYER_RANK:
            continue
        for t in targets:
            if not t or t[0] not in LAYER_RANK or t[0] == m[0]:
                continue
            if LAYER_RANK[t[0]] >= LAYER_RANK[m[0]]:
                problems.append(f"layer: {name(m)} uses {name(t)} (layer {t[0]} is not below {m[0]})")
    for m, f in mods.items():
        text = strip(open(f, encoding="utf-8").read())
        for stmt in re.findall(r"\bpub\s+use\s+([^;]+);", text, flags=re.S):
            stmt = re.sub(r"\s+", "", stmt)
            first = re.split(r"::|\{", stmt)[0]
            if m not in FACADES:
                problems.append(f"second path: {name(m)} re-exports `{stmt}` (only {sorted('::'.join(x) for x in FACADES)} re-export, from their own files)")
            elif first in ("crate", "super") or tuple(list(m) + [first]) not in mods:
                problems.append(f"second path: {name(m)} re-exports `{stmt}`, not one of its own files")
        if m in FACADES:
            for child in re.findall(r"^\s*pub\s+mod\s+(\w+)", text, flags=re.M):
                problems.append(f"second path: {name(m)} re-exports its files, so `pub mod {child}` would name their items twice")
    return problems


def self_test():
    cases = {
        "cycle": {"lib.rs": "pub mod wire;", "wire/mod.rs": "pub mod a;\npub mod b;",
                  "wire/a.rs": "use crate::wire::b::B;\npub struct A;", "wire/b.rs": "use super::a::A;\npub struct B;"},
        "layer": {"lib.rs": "pub mod wire;\npub mod api;", "wire/mod.rs": "pub mod a;",
                  "wire/a.rs": "use crate::api::x::X;", "api/mod.rs": "pub mod x;", "api/x.rs": "pub struct X;"},
        "siblings": {"lib.rs": "pub mod client;\npub mod bridge;", "client/mod.rs": "use crate::bridge::S;",
                     "bridge/mod.rs": "mod s;\npub use s::S;", "bridge/s.rs": "pub struct S;"},
        "root re-export": {"lib.rs": "pub mod wire;\npub use wire::a::A;", "wire/mod.rs": "pub mod a;", "wire/a.rs": "pub struct A;"},
    }
    ok = True
    for what, files in cases.items():
        with tempfile.TemporaryDirectory() as d:
            for p, t in files.items():
                os.makedirs(os.path.dirname(os.path.join(d, p)), exist_ok=True)
                open(os.path.join(d, p), "w").write(t + "\n")
            found = check(d)
            print(f"self-test {what}: {'caught: ' + found[0] if found else 'NOT CAUGHT'}")
            ok &= bool(found)
    return ok


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(0 if self_test() else 1)
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "core", "src")
    problems = check(src)
    for p in problems:
        print(p)
    mods, graph = edges(src)
    print(f"layers: {len(mods)} modules, {sum(len(v) for v in graph.values())} imports, {len(problems)} problems")
    sys.exit(1 if problems else 0)
