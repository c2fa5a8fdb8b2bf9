"""The converter's per-row function, written out for one mapping and compiled.

A loop over "the fields this mapping has" costs more per row than the work itself, so the
function is generated with each mapped field as a few straight lines: index into the row,
look the text up in that column's cache, store. Only integers, and names and messages passed
through repr(), go into the source; everything else is reached through the namespace below.
The result does exactly what the field lists in Converter describe (its tests run through it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rapport.imports.sources.table import STOPPED
from rapport.imports.sources.values import CACHE_LIMIT
from rapport.text import is_storable

if TYPE_CHECKING:
    from rapport.imports.sources.converter import Converter, Row

ConvertFn = Callable[[int, list[str], list[str]], "Row"]


def compile_convert(conv: Converter) -> ConvertFn:
    from rapport.imports.sources.converter import UNREADABLE, Row

    ns: dict[str, Any] = {
        "Row": Row,
        "STOPPED": STOPPED,
        "ZONE": conv.zone,
        "COMBINE": dt.datetime.combine,
        "MOMENT": conv.moment,
        "PLAIN": conv.plain_dates,
        "TIMES": conv.times,
        "CLOCK": conv.clock,
        "ONE": conv.moments,
        "LIMIT": CACHE_LIMIT,
        "DATE_ERROR": conv.date_error,
        "FINISH": conv.finish,
        "CUT": conv.cut,
        "CONTENT_KEY": conv.content_key,
        "LONG_ID": conv.long_id,
        "DEFAULTS": conv.defaults,
        "STORABLE": is_storable,
        "REFUSED": conv.refused,
    }
    out = [
        "def convert(number, c, problems):",
        "    errors = []",
        '    warnings = [f"Row {number}: {p}" for p in problems] if problems else []',
        "    if problems and problems[-1].startswith(STOPPED):",
        '        return Row(number, {}, [warnings.pop()], warnings, f"stopped-{number}")',
        # One search over the joined cells: a cell no database can store refuses the row.
        '    if not STORABLE("".join(c)): return REFUSED(number, c)',
        "    fields = {}",
        "    details = {}",
    ]
    add = out.append
    limits = dict(conv.limits)
    for name, i in conv.text:
        add(f"    v = c[{i}]")
        add("    if v:")
        add(f"        fields[{name!r}] = v")
        if name in limits:
            limit = limits.pop(name)
            add(f"        if len(v) > {limit}: CUT(number, fields, warnings, {name!r}, {limit})")
    for column, i in conv.details_columns:
        add(f"    v = c[{i}]")
        add(f"    if v: details[{column!r}] = v")
    for n, (name, where, joiner) in enumerate(conv.joined):
        ns[f"J{n}"] = joiner
        cells = ", ".join(f"c[{i}]" for i in where)
        add(f"    v = J{n}.join([t for t in ({cells},) if t])")
        add(f"    if v: fields[{name!r}] = v")
    for n, (name, i, column, cache, lookup) in enumerate(conv.choices):
        ns[f"CC{n}"], ns[f"CL{n}"] = cache, lookup
        add(f"    v = c[{i}]")
        add("    if v:")
        add(f"        hit = CC{n}.get(v) or CL{n}.get(v)")
        add(f"        fields[{name!r}] = hit[0]")
        add("        if hit[1]:")
        add('            warnings.append(f"Row {number}: {hit[1]}")')
        add(f"            details[{column!r}] = v")
    for n, (name, where, column, cache, parse, label) in enumerate(conv.typed):
        ns[f"TC{n}"], ns[f"TP{n}"] = cache, parse
        problem = UNREADABLE.get(name, "is not an email address")
        ns[f"TM{n}"] = f"{label} '{{}}' {problem}; kept in details"
        if len(where) == 1:
            add(f"    v = c[{where[0]}]")
        else:
            ns[f"TJ{n}"] = conv.mapping.tag_separator if name == "tags" else " "
            cells = ", ".join(f"c[{i}]" for i in where)
            add(f"    v = TJ{n}.join([t for t in ({cells},) if t])")
        add("    if v:")
        add(f"        x = TC{n}.get(v)")
        add("        if x is None:")
        add(f"            if len(TC{n}) >= LIMIT: TC{n}.clear()")
        add(f"            x = TP{n}(v)")
        if name != "tags":  # lists are handed out: each row gets its own
            add(f"            if x is not None: TC{n}[v] = x")
        add("        if x is None or x == []:")
        add(f'            warnings.append(f"Row {{number}}: " + TM{n}.format(v))')
        add(f"            details[{column!r}] = v")
        add("        else:")
        add(f"            fields[{name!r}] = x")
    _when(conv, add)
    add(f"    if len(c) > {conv.width}:")
    add(f"        for k in range({conv.width}, len(c)):")
    add('            if c[k]: details[f"(column {k + 1})"] = c[k]')
    add("    if details: fields['details'] = details")
    if conv.defaults:
        add("    for k, x in DEFAULTS.items(): fields.setdefault(k, x)")
    for name, limit in limits.items():  # joined or defaulted texts
        add(f"    x = fields.get({name!r})")
        add(f"    if x and len(x) > {limit}: CUT(number, fields, warnings, {name!r}, {limit})")
    if conv.target == "people":
        add("    FINISH(number, fields, errors, warnings)")
    else:
        add("    if 'occurred_at' not in fields and not errors:")
        add("        FINISH(number, fields, errors, warnings)")
    if conv.has_external:
        add("    x = fields.get('external_id') or fields.get('directory_id')")
        add("    if x:")
        add("        if len(x) > 100: x = LONG_ID(number, fields, warnings, x)")
        add("        return Row(number, fields, errors, warnings, x)")
    add("    return Row(number, fields, errors, warnings, CONTENT_KEY(c))")
    exec(compile("\n".join(out), "<rapport.imports.sources.codegen>", "exec"), ns)
    return ns["convert"]  # type: ignore[no-any-return]


def _when(conv: Converter, add: Callable[[str], None]) -> None:
    if not conv.when:
        return
    i = conv.when[0]
    add(f"    d = c[{i}]")
    add("    if d:")
    if len(conv.when) > 1:
        # A date column and a time column: both usually repeat, so both are cached.
        add(f"        t = c[{conv.when[1]}]")
        add("        day = PLAIN.get(d)")
        add("        if day is not None and t:")
        add("            k = TIMES.get(t) or CLOCK(t)")
        add("            m = COMBINE(day, k, ZONE) if k is not None else MOMENT(d, t)")
        add("        else:")
        add("            m = MOMENT(d, t)")
    else:
        add("        m = ONE.get(d)")
        add("        if m is None:")
        add("            m = MOMENT(d, '')")
        add("            if m is not None:")
        add("                if len(ONE) >= LIMIT: ONE.clear()")
        add("                ONE[d] = m")
    add("        if m is None: errors.append(DATE_ERROR(number, c))")
    add("        else: fields['occurred_at'] = m")
    if "occurred_at" not in conv.defaults:
        message = f"has no date ('{conv.when_names[0]}' is empty)"
        add("    else:")
        add(f'        errors.append(f"Row {{number}}: " + {message!r})')
