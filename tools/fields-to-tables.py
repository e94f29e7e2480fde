#!/usr/bin/env python3
"""Moves [Record]/[Field] attribute tables from the C# files in src/ArmSmmu/Structures into the Markdown field
tables the generator reads (docs/structure.md, "Tables"). Run it after merging a branch written before the tables
existed: each C# file's [Field] lines become rows of the '## record' / '## register' section of the .table.md file
beside it, and the C# keeps only the hand-written members. Idempotent: a file without [Record] is left alone."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent / "src" / "ArmSmmu" / "Structures"


def split_args(text):
    args, depth, quoted, cur = [], 0, False, ""
    for i, ch in enumerate(text):
        if quoted:
            cur += ch
            if ch == '"' and text[i - 1] != "\\":
                quoted = False
        elif ch == '"':
            quoted, cur = True, cur + ch
        elif ch in "([":
            depth, cur = depth + 1, cur + ch
        elif ch in ")]":
            depth, cur = depth - 1, cur + ch
        elif ch == "," and depth == 0:
            args.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        args.append(cur.strip())
    return args


def unquote(v):
    v = v.strip()
    if v.startswith('"'):
        return v[1:-1].replace('\\"', '"')
    m = re.fullmatch(r"nameof\((\w+)\)", v)
    if m:
        return m.group(1)
    m = re.fullmatch(r"typeof\(([\w.]+)\)", v)
    return m.group(1) if m else v


def doc_text(lines):
    text = " ".join(l.strip()[3:].strip() for l in lines)
    summary = re.search(r"<summary>(.*?)</summary>", text, re.S)
    remarks = re.search(r"<remarks>(.*?)</remarks>", text, re.S)
    def md(t):
        t = re.sub(r'<see cref="([^"]+)"\s*/>', r"`\1`", t)
        t = re.sub(r"<c>(.*?)</c>", r"`\1`", t)
        return " ".join(t.split())
    out = [md(summary.group(1))] if summary else []
    if remarks:
        out.append(md(remarks.group(1)))
    return out


def cell(t):
    return t.replace("|", "\\|")


def convert(path):
    lines = path.read_text().split("\n")
    out, sections, i = [], [], 0
    while i < len(lines):
        if not lines[i].startswith("[Record("):
            out.append(lines[i])
            i += 1
            continue
        # the doc comment above [Record] moves into the table
        doc = []
        while out and out[-1].startswith("///"):
            doc.insert(0, out.pop())
        rec = split_args(lines[i][len("[Record("):-2])
        words = int(rec[0])
        opts = {a.split("=")[0].strip(): a.split("=")[1].strip() for a in rec[1:]}
        i += 1
        fields = []
        while lines[i].startswith("[Field("):
            args = split_args(lines[i][len("[Field("):-2])
            f = {"Name": unquote(args[0]), "Word": int(args[1]), "Hi": int(args[2]), "Lo": int(args[3])}
            for a in args[4:]:
                k, v = a.split("=", 1)
                f[k.strip()] = unquote(v)
            fields.append(f)
            i += 1
        decl = lines[i]
        m = re.match(r"public readonly partial (record struct|struct) (\w+)(\((\w+) Value\))?", decl)
        name = m.group(2)
        register = opts.get("Register") == "true"
        body = []
        if decl.rstrip().endswith(";"):
            i += 1
        else:
            i += 1
            assert lines[i] == "{", (path, name)
            i += 1
            while lines[i] != "}":
                body.append(lines[i])
                i += 1
            i += 1
        if register:
            tostring = f'    public override string ToString() => FieldText.Summary("{name[:-len("Register")]}", Value, Describe());'
            if tostring in body:
                k = body.index(tostring)
                del body[k - 2:k + 1]
                while body and body[-1] == "":
                    body.pop()
                while body and body[0] == "":
                    body.pop(0)
        if register:
            heading = f"## register {name} ({32 if m.group(4) == 'uint' else 64} bits)"
        else:
            extra = []
            if opts.get("CustomDescribe") == "true":
                extra.append("custom Describe")
            if opts.get("OverlappingViews") == "true":
                extra.append("overlapping views")
            heading = f"## record {name} ({', '.join([f'{words} words' if words > 1 else '1 word'] + extra)})"
        sec = [heading, ""]
        for p in doc_text(doc):
            sec += [p, ""]
        has = lambda k: any(k in f for f in fields)
        cols = ["Field"] + (["Word"] if not register else []) + ["Bits", "Type"] + (["Spec"] if has("Spec") else []) + (["Alias"] if has("Alias") else []) + ["Summary", "Describe"]
        sec.append("| " + " | ".join(cols) + " |")
        sec.append("|" + "---|" * len(cols))
        for f in fields:
            bits = str(f["Hi"]) if f["Hi"] == f["Lo"] else f'{f["Hi"]}:{f["Lo"]}'
            typ = "address" if f.get("Address") == "true" else f.get("Type", "")
            if "Set" in f:
                describe = f'{f["Set"]} / {f["Clear"]}'
            elif "Meaning" in f:
                describe = "`" + f["Meaning"] + "`"
            else:
                describe = ""
            row = {"Field": f["Name"], "Word": str(f["Word"]), "Bits": bits, "Type": typ, "Spec": f.get("Spec", ""),
                   "Alias": f.get("Alias", ""), "Summary": f.get("Doc", ""), "Describe": describe}
            sec.append(("| " + " | ".join(cell(row[c]) for c in cols) + " |").replace("|  |", "| |").replace("|  |", "| |"))
        sections.append("\n".join(sec))
        if body:
            kind = "record struct" if m.group(1) == "record struct" else "struct"
            out.append(f"public readonly partial {kind} {name}")
            out.append("{")
            out += body
            out.append("}")
        else:
            while out and out[-1] == "":
                out.pop()
            # the next type starts after one blank line
        if i < len(lines) and lines[i] == "" and out and out[-1] == "":
            i += 1
    if not sections:
        return False
    text = "\n".join(out)
    note = (f"// Declared, with every field and its docs, by the tables in {path.stem}.table.md (docs/structure.md, \"Tables\");\n"
            "// this file adds the hand-written members.\n")
    if note not in text:
        m = re.search(r"namespace ArmSmmu\.Structures;\n\n(// [^\n]*\n)?", text)
        text = text[:m.end()] + note + "\n" + text[m.end():] if not m.group(1) else text[:m.end(1)] + note + text[m.end(1):]
    text = re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"
    table = path.with_suffix(".table.md")
    if table.exists():
        existing = table.read_text().rstrip("\n")
    else:
        title = re.search(r"^// (.*)$", text, re.M)
        existing = f"# {path.stem}\n\n`namespace ArmSmmu.Structures`\n\n" + (
            (title.group(1) + " ") if title else "") + "ArmSmmu.Generators writes each type below, with its properties, `Describe`, equality and memory I/O, from its table (docs/structure.md, \"Tables\")."
    for sec in sections:
        # a section already in the file (the branch's base had it) is replaced in place, so a merge re-run is clean
        name = re.match(r"## (?:record|register) (\w+)", sec).group(1)
        old = re.search(r"^## (?:record|register) " + name + r" .*?(?=^## |\Z)", existing, re.M | re.S)
        if old:
            existing = existing[:old.start()] + sec + "\n\n" + existing[old.end():].lstrip("\n")
        else:
            existing = existing + "\n\n" + sec
    table.write_text(existing.rstrip("\n") + "\n")
    if re.search(r"\b(public|internal)\b[^\n]*\b(struct|class|enum)\b", text) is None:
        path.unlink()
    else:
        path.write_text(text)
    return True


if __name__ == "__main__":
    files = [pathlib.Path(p) for p in sys.argv[1:]] or sorted(ROOT.glob("*.cs"))
    for p in files:
        if convert(p):
            print("moved the field tables of", p.name)
