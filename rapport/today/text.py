"""The Today list as lines of plain text, for the terminal and the digest's text part."""

from rapport.today.today import Section


def lines(section: Section) -> list[str]:
    out = []
    for row in section.rows:
        if section.key in ("follow_ups", "requests"):
            people = ", ".join(p.full_name for p in row.people.all())
            when = row.follow_up_on if section.key == "follow_ups" else row.due_on
            label = "follow up since" if section.key == "follow_ups" else "due"
            out.append(f"{row.title} — {people} — {label} {when:%a %d %b}")
        elif section.key == "week":
            who = ", ".join(p.full_name for p in row.shown_people)
            out.append(
                f"{row.occurred_at:%a %d %b} {row.topic or '(no topic)'}"
                + (f" — {who}" if who else "")
            )
        else:
            text = f"{row.person.full_name} ({row.stage_label}"
            if section.key != "never":
                text += f", health {row.health}"
            text += ")"
            if row.due and section.key in ("past_max", "past_ideal"):
                text += (
                    f" — last contact {row.due.last_real:%d %b %Y}, {row.due.lateness} "
                    f"({row.due.cadence.source})"
                )
            elif section.key == "dropped" and row.health_before is not None:
                text += f" — health {row.health_before} → {row.health} in 30 days"
            out.append(text)
    if section.more > 0:
        out.append(f"… and {section.more} more")
    return out
