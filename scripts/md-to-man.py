#!/usr/bin/env python3
"""Turns the profile reference (profiles/README.md) into the vmrun-profile(5)
man page at build time, so the page and the reference are one text.

Handles the Markdown the reference uses: headings, paragraphs, tables (each
row a tagged paragraph: man pages are read at 80 columns, tables are not),
fenced code, bullet and numbered lists, `code`, **bold**, *emphasis*, links.

    md-to-man.py IN.md OUT.5 NAME SECTION VERSION "one-line description"
"""
import re
import sys

SPECIAL = {"—": r"\(em", "–": r"\(en", "×": r"\(mu", "→": r"\(->", "←": r"\(<-", "≥": r"\(>=", "≤": r"\(<=",
           "…": "...", "“": r"\(lq", "”": r"\(rq", "‘": r"\(oq", "’": r"\(cq", "·": r"\(pc", "°": r"\(de"}


def escape(text):
    text = text.replace("\\", r"\e")
    out = []
    for ch in text:
        if ch in SPECIAL:
            out.append(SPECIAL[ch])
        elif ord(ch) > 127:
            out.append(r"\[u%04X]" % ord(ch))
        else:
            out.append(ch)
    return "".join(out)


def inline(text):
    """Markdown inline marks to roff fonts; everything else escaped."""
    text = text.replace(r"\|", "|")
    text = re.sub(r"\[([^\]]+)\]\((https?://[^)]+)\)", r"\1 <\2>", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    parts = re.split(r"(`[^`]*`)", text)
    out = []
    for p in parts:
        if p.startswith("`") and p.endswith("`") and len(p) >= 2:
            out.append(r"\fB" + escape(p[1:-1]).replace("-", r"\-") + r"\fR")
            continue
        p = escape(p)
        p = re.sub(r"\*\*([^*]+)\*\*", r"\\fB\1\\fR", p)
        p = re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])", r"\\fI\1\\fR", p)
        out.append(p)
    return "".join(out)


def line(text):
    """A text line roff will not take for a request."""
    return "\\&" + text if text[:1] in (".", "'") else text


def cells(row):
    row = row.strip()
    row = row[1:] if row.startswith("|") else row
    row = row[:-1] if row.endswith("|") and not row.endswith(r"\|") else row
    return [c.strip() for c in re.split(r"(?<!\\)\|", row)]


def convert(md, name, section, version, description):
    out = ['.TH %s %s "" "vmrun %s" "vmrun manual"' % (name.upper(), section, version),
           ".SH NAME", "%s \\- %s" % (name, escape(description))]
    lines = md.split("\n")
    i = 0
    paragraph = []

    def flush():
        if paragraph:
            out.append(".PP")
            out.extend(line(inline(p)) for p in paragraph)
            paragraph.clear()

    while i < len(lines):
        raw = lines[i]
        s = raw.strip()
        if s.startswith("<!--"):
            pass  # a marker for the generated key tables (profile_schema.cc), not text
        elif s.startswith("```"):
            flush()
            out += [".PP", ".RS 4", ".nf"]
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                out.append(line(escape(lines[i]).replace("-", r"\-")))
                i += 1
            out += [".fi", ".RE"]
        elif s.startswith("#"):
            flush()
            level = len(s) - len(s.lstrip("#"))
            title = s[level:].strip()
            if level == 1:
                out += [".SH DESCRIPTION"]
            elif level == 2:
                out += [".SH " + inline(title).upper().replace(r"\FB", r"\fB").replace(r"\FR", r"\fR")]
            else:
                out += [".SS " + inline(title)]
        elif s.startswith("|"):
            flush()
            header = cells(s)
            i += 2  # the |---| line
            while i < len(lines) and lines[i].strip().startswith("|"):
                row = cells(lines[i])
                out += [".TP", line(inline(row[0]))]
                facts = ["%s: %s" % (header[k], row[k]) for k in range(1, len(row) - 1) if k < len(header) and row[k] not in ("", "—")]
                if facts:
                    out += [line(inline("; ".join(facts) + ".")), ".br"]
                out.append(line(inline(row[-1])))
                i += 1
            continue
        elif re.match(r"^(- |\d+\. )", s) and not raw.startswith(" "):
            flush()
            mark = r"\(bu" if s.startswith("- ") else s.split(" ", 1)[0]
            item = [s.split(" ", 1)[1]]
            while i + 1 < len(lines) and lines[i + 1].startswith("  ") and lines[i + 1].strip():
                i += 1
                item.append(lines[i].strip())
            out += [".IP %s 4" % mark] + [line(inline(t)) for t in item]
        elif not s:
            flush()
        else:
            paragraph.append(s)
        i += 1
    flush()
    return "\n".join(out) + "\n"


def main():
    src, dst, name, section, version, description = sys.argv[1:7]
    with open(src, encoding="utf-8") as f:
        page = convert(f.read(), name, section, version, description)
    with open(dst, "w", encoding="utf-8") as f:
        f.write(page)


if __name__ == "__main__":
    main()
