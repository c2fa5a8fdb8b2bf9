"""Matching runs: score items against interest profiles and keep each person's best matches.

A run is incremental: new items against every profile, or one changed profile against recent
items, or (nightly, or when asked) every profile against recent items. Runs are queued by
`services.start_matching` and worked by `rapport worker`; progress is written to the run row
so the page that waits can show it.
"""

import datetime as dt
import time
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from rapport.awareness.engine import ItemText, Scored, get_engine
from rapport.awareness.models import Interest, Item, Match, MatchRun, MatchStatus, Publication
from rapport.awareness.profiles import InterestProfile, profiles_for
from rapport.people.models import Person

#: A profile that changed is matched against the items added in this many days.
RECENT_DAYS = 90
#: Below this score a suggestion is noise, whatever its rank.
MIN_SCORE = {"lexical": 0.05, "semantic": 0.25, "hybrid": 0.05}
#: People per engine call: bounds memory and lets progress move.
BATCH = 2000
#: Write progress at most this often (seconds).
PROGRESS_EVERY = 1.0


def item_text(item: Item) -> ItemText:
    authors = ", ".join(item.authors[:10]) if isinstance(item.authors, list) else ""
    return ItemText(
        id=str(item.pk), title=item.title, text=" ".join(p for p in (item.abstract, authors) if p)
    )


def people_with_evidence() -> list[int]:
    """Everyone the matcher can say something about; people with no evidence get nothing."""
    active = Person.objects.filter(archived_at__isnull=True)
    ids = set(active.filter(touchpoint_count__gt=0).values_list("pk", flat=True))
    ids.update(
        Publication.objects.filter(person__archived_at__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    ids.update(
        Interest.objects.filter(person__archived_at__isnull=True)
        .exclude(state="removed")
        .values_list("person_id", flat=True)
    )
    return sorted(ids)


def _items_for(run: MatchRun, now: dt.datetime) -> list[Item]:
    if run.scope == "items":
        return list(Item.objects.filter(pk__in=run.item_ids).order_by("pk"))
    since = now - dt.timedelta(days=RECENT_DAYS)
    return list(Item.objects.filter(added_at__gte=since).order_by("pk"))


def _people_for(run: MatchRun) -> list[int]:
    if run.scope == "person":
        return [run.person_id] if run.person_id else []
    return people_with_evidence()


def _explanation(hit: Scored, profile: InterestProfile, mode: str) -> dict:
    labels = {e.ref: (e.source, e.label) for e in profile.evidence}
    return {
        "mode": mode,
        "terms": list(hit.terms),
        "evidence": [
            {"ref": ref, "source": labels[ref][0], "label": labels[ref][1]}
            for ref in hit.evidence
            if ref in labels
        ],
    }


def _store(hits: Iterable[tuple[Scored, InterestProfile]], mode: str) -> int:
    """Insert new suggestions; pairs already suggested, decided or sent are left alone."""
    floor = MIN_SCORE.get(mode, 0.0)
    rows = [
        Match(
            person_id=int(hit.profile),
            item_id=int(hit.item),
            score=round(float(hit.score), 6),
            explanation=_explanation(hit, profile, mode),
        )
        for hit, profile in hits
        if hit.score >= floor
    ]
    Match.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(rows)


def prune(person_ids: Sequence[int], keep: int) -> int:
    """Keep each person's best `keep` suggestions; decided and sent matches stay."""
    if not person_ids:
        return 0
    table = Match._meta.db_table
    deleted = 0
    # The table name is ours; every value is a parameter.
    with connection.cursor() as cursor:
        for start in range(0, len(person_ids), 500):
            chunk = list(person_ids[start : start + 500])
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"DELETE FROM {table} WHERE id IN ("
                f" SELECT id FROM (SELECT id, ROW_NUMBER() OVER ("
                f"  PARTITION BY person_id ORDER BY score DESC, id) AS n"
                f"  FROM {table} WHERE status = %s AND person_id IN ({marks})) ranked"
                f" WHERE n > %s)",
                [MatchStatus.SUGGESTED, *chunk, keep],
            )
            deleted += cursor.rowcount
    return deleted


def _progress(run_id: int, total: int):
    last = [0.0]

    def report(done: int) -> None:
        now = time.monotonic()
        if done >= total or now - last[0] >= PROGRESS_EVERY:
            last[0] = now
            MatchRun.objects.filter(pk=run_id).update(done=done, total=total)

    return report


def run_matching(run_id: int, *, now: dt.datetime | None = None) -> MatchRun:
    """Work one queued run. Safe to call twice: a finished run is left as it is."""
    now = now or timezone.now()
    claimed = MatchRun.objects.filter(
        Q(status=MatchRun.Status.QUEUED) | Q(status=MatchRun.Status.FAILED), pk=run_id
    ).update(status=MatchRun.Status.RUNNING, started_at=now, error="")
    run = MatchRun.objects.get(pk=run_id)
    if not claimed:
        return run
    try:
        kept = _work(run, now)
    except Exception as exc:
        MatchRun.objects.filter(pk=run_id).update(
            status=MatchRun.Status.FAILED, error=str(exc)[:500], finished_at=timezone.now()
        )
        raise
    MatchRun.objects.filter(pk=run_id).update(
        status=MatchRun.Status.DONE, matches_kept=kept, finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run


def _work(run: MatchRun, now: dt.datetime) -> int:
    engine = get_engine(run.mode)
    items = [item_text(i) for i in _items_for(run, now)]
    people = _people_for(run)
    total = len(people)
    report = _progress(run.pk, total)
    report(0)
    if not items or not people:
        report(total)
        return 0
    kept = 0
    top = settings.RAPPORT_MATCH_TOP
    for start in range(0, total, BATCH):
        chunk = people[start : start + BATCH]
        profiles = profiles_for(chunk, now=now)
        engine_profiles = [p.documents() for p in profiles.values() if not p.empty]
        by_id = {str(p.person_id): p for p in profiles.values()}
        hits = engine.score(engine_profiles, items, top=top, explain=True)
        with transaction.atomic():
            kept += _store(((h, by_id[h.profile]) for h in hits), run.mode)
            prune(chunk, top)
        report(min(total, start + len(chunk)))
    return kept
