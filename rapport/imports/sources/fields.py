"""The canonical fields an imported row is turned into, for touchpoints and for people, with
the words other systems use for their columns and values (to guess a mapping)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapport.people.models import Status
from rapport.touchpoints.models import Channel, Initiator, Kind, Origin


@dataclass(frozen=True)
class FieldSpec:
    label: str
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    type: str = "text"  # text, datetime, choice, int, read, minutes, tags, emails, details
    required: bool = False
    # Column names (normalised: lower case, letters and digits) that suggest this field.
    synonyms: tuple[str, ...] = field(default=(), repr=False)


def _choices(model_choices: type) -> tuple[tuple[str, str], ...]:
    return tuple((str(v), str(label)) for v, label in model_choices.choices)  # type: ignore[attr-defined]


TOUCHPOINT_FIELDS: dict[str, FieldSpec] = {
    "occurred_at": FieldSpec(
        "When",
        "Date and time it happened; map a date column and a time column if they are apart. "
        "A date alone means 12:00.",
        type="datetime",
        required=True,
        synonyms=(
            "date",
            "datetime",
            "timestamp",
            "time",
            "askedat",
            "asked",
            "created",
            "startdate",
            "starttime",
            "dateasked",
            "questiondate",
            "transactiondate",
            "dateandtime",
            "when",
            "occurred",
            "occurredat",
            "datecreated",
            "timestampstart",
            "entrydate",
        ),
    ),
    "kind": FieldSpec(
        "Kind",
        "Question, consultation, instruction…",
        _choices(Kind),
        "choice",
        synonyms=("kind", "type", "transactiontype", "servicetype", "activity", "interaction"),
    ),
    "channel": FieldSpec(
        "Channel",
        "How it happened: in person, email, chat, phone, video",
        _choices(Channel),
        "choice",
        synonyms=(
            "channel",
            "format",
            "questionformat",
            "mode",
            "medium",
            "method",
            "contactmethod",
            "communicationchannel",
            "contacttype",
            "howasked",
            "howreceived",
            "howdiditgetintouch",
            "howdiditcome",
            "source",
        ),
    ),
    "origin": FieldSpec(
        "Origin",
        "How the contact came about: desk, walk-by, referral…",
        _choices(Origin),
        "choice",
        synonyms=("origin", "howcontacted", "referral", "referredby", "howdidithappen"),
    ),
    "initiated_by": FieldSpec(
        "Initiated by",
        "Who reached out: them or us",
        _choices(Initiator),
        "choice",
        synonyms=("initiatedby", "initiator", "whoinitiated"),
    ),
    "read_level": FieldSpec(
        "READ level",
        'Effort on the READ scale, 1–6 ("READ 3" or "3")',
        tuple((str(n), f"READ {n}") for n in range(1, 7)),
        "read",
        synonyms=("read", "readscale", "readlevel", "readscore", "effort", "difficulty"),
    ),
    "minutes": FieldSpec(
        "Minutes",
        'Time spent: "20", "0:20", "1h30", "10-20 minutes"',
        type="minutes",
        synonyms=(
            "minutes",
            "duration",
            "timespent",
            "length",
            "time taken",
            "timetaken",
            "mins",
            "durationminutes",
            "timespentminutes",
            "stafftime",
            "howlong",
            "timewithpatron",
        ),
    ),
    "topic": FieldSpec(
        "Topic",
        "A short subject or category",
        synonyms=(
            "topic",
            "subject",
            "questiontype",
            "category",
            "subjectarea",
            "summary",
            "whatwasitabout",
        ),
    ),
    "question": FieldSpec(
        "Question",
        "What was asked",
        synonyms=("question", "query", "questiontext", "request", "patronquestion", "details"),
    ),
    "answer": FieldSpec(
        "Answer or notes",
        synonyms=("answer", "response", "notes", "note", "answertext", "comments", "comment"),
    ),
    "tags": FieldSpec(
        "Tags",
        "Split by the tag separator",
        type="tags",
        synonyms=("tags", "tag", "keywords", "labels"),
    ),
    "staff": FieldSpec(
        "Staff",
        "Initials, user name or name of the librarian",
        synonyms=(
            "staff",
            "initials",
            "enteredby",
            "answeredby",
            "librarian",
            "user",
            "username",
            "staffmember",
            "staffinitials",
            "owner",
            "assignedto",
            "recordedby",
            "createdby",
            "staffname",
            "librarianname",
            "yourname",
        ),
    ),
    "person_name": FieldSpec(
        "Person's name",
        synonyms=(
            "name",
            "patronname",
            "personname",
            "patron",
            "fullname",
            "client",
            "whodidyoutalkto",
            "talkedto",
            "talkedwith",
            "whoasked",
            "whodidyouhelp",
            "theirname",
        ),
    ),
    "person_email": FieldSpec(
        "Person's email",
        synonyms=(
            "email",
            "emailaddress",
            "patronemail",
            "personemail",
            "e-mail",
            "mail",
            "theiremail",
        ),
    ),
    "person_status": FieldSpec(
        "Person's status",
        "Faculty, student, staff…",
        _choices(Status),
        "choice",
        synonyms=("patronstatus", "patrontype", "status", "usertype", "affiliation", "usergroup"),
    ),
    "location": FieldSpec(
        "Location",
        "Desk, branch or place",
        synonyms=("location", "desk", "branch", "servicepoint", "place", "where", "library"),
    ),
    "group": FieldSpec(
        "Group",
        "Name of a group in Rapport",
        synonyms=("group", "department", "team", "course", "unit", "dept"),
    ),
    "external_id": FieldSpec(
        "External id",
        "The source's own id, so a second import of the same file adds nothing twice",
        synonyms=(
            "id",
            "transactionid",
            "questionid",
            "ticketid",
            "recordid",
            "entryid",
            "ticket",
            "chatid",
            "responseid",
            "uid",
        ),
    ),
    "details": FieldSpec(
        "Details",
        "Other columns to keep as they are (all unmapped columns when none is chosen)",
        type="details",
    ),
}

PERSON_FIELDS: dict[str, FieldSpec] = {
    "full_name": FieldSpec("Full name", synonyms=("name", "fullname", "displayname", "person")),
    "first_name": FieldSpec("First name", synonyms=("firstname", "givenname", "forename")),
    "last_name": FieldSpec("Last name", synonyms=("lastname", "surname", "familyname", "sn")),
    "email": FieldSpec(
        "Email", synonyms=("email", "emailaddress", "mail", "e-mail", "primaryemail")
    ),
    "other_emails": FieldSpec(
        "Other emails",
        "Several may share a cell, separated by ; or ,",
        type="emails",
        synonyms=("otheremails", "alternateemail", "secondaryemail", "emails"),
    ),
    "orcid": FieldSpec("ORCID iD", synonyms=("orcid", "orcidid")),
    "directory_id": FieldSpec(
        "Directory id",
        "The campus directory's own id for the person",
        synonyms=("directoryid", "id", "employeeid", "personid", "uid", "netid", "staffid"),
    ),
    "job_title": FieldSpec("Job title", synonyms=("jobtitle", "title", "position", "role title")),
    "status": FieldSpec(
        "Status",
        "Faculty, student, staff…",
        _choices(Status),
        "choice",
        synonyms=("status", "affiliation", "type", "persontype", "category", "usertype"),
    ),
    "department": FieldSpec("Department", synonyms=("department", "dept", "school", "faculty")),
    "building": FieldSpec("Building", synonyms=("building", "site")),
    "room": FieldSpec("Room", synonyms=("room", "office", "roomnumber")),
    "desk": FieldSpec("Desk", synonyms=("desk", "workstation")),
    "notes": FieldSpec("Notes", synonyms=("notes", "note", "comments", "description")),
    "group": FieldSpec("Group", "Name of a group in Rapport", synonyms=("group", "team", "unit")),
    "role": FieldSpec("Role in the group", synonyms=("role", "grouprole", "membershiprole")),
}

FIELDS_FOR = {"touchpoints": TOUCHPOINT_FIELDS, "people": PERSON_FIELDS}

# Values other systems use, folded (see fold()), → canonical choice values.
VALUE_SYNONYMS: dict[str, dict[str, str]] = {
    "channel": {
        **dict.fromkeys(
            ("walkin", "walkup", "inperson", "desk", "facetoface", "f2f", "visit", "person",
             "referencedesk", "office", "inlibrary", "roving", "consultation", "appointment",
             "walkedin", "dropin", "cameby", "atthedesk"),
            "in_person",
        ),
        **dict.fromkeys(("phone", "telephone", "call", "phonecall", "tel", "phoned", "rang"),
                        "phone"),
        **dict.fromkeys(("email", "mail", "ticket", "form", "webform", "emailticket", "emailed"),
                        "email"),
        **dict.fromkeys(
            ("chat", "im", "libchat", "instantmessage", "instantmessaging", "text", "sms",
             "textmessage", "virtual", "online", "qpchat"),
            "chat",
        ),
        **dict.fromkeys(("video", "zoom", "teams", "videocall", "skype", "webex"), "video"),
    },
    "origin": {
        **dict.fromkeys(("desk", "walkin", "walkup", "referencedesk", "servicedesk"), "desk"),
        **dict.fromkeys(("walkby", "hallway", "passing", "roving"), "walkby"),
        **dict.fromkeys(("referral", "referred"), "referral"),
        **dict.fromkeys(("appointment", "scheduled", "booked", "booking"), "scheduled"),
    },
    "kind": {
        **dict.fromkeys(("question", "reference", "ref", "query", "directional"), "question"),
        **dict.fromkeys(("consultation", "appointment", "researchconsultation"), "consultation"),
        **dict.fromkeys(("instruction", "class", "workshop", "training", "session"), "instruction"),
        **dict.fromkeys(("meeting",), "meeting"),
        **dict.fromkeys(("email",), "email"),
    },
    "initiated_by": {
        **dict.fromkeys(("them", "patron", "user", "client", "person", "inbound"), "them"),
        **dict.fromkeys(("us", "librarian", "staff", "library", "outbound", "outreach"), "us"),
    },
    "person_status": {
        **dict.fromkeys(
            ("faculty", "professor", "lecturer", "instructor", "teacher", "academicstaff",
             "teachingstaff"),
            "faculty",
        ),
        **dict.fromkeys(
            ("student", "undergraduate", "undergrad", "graduate", "graduatestudent", "grad",
             "gradstudent", "phdstudent", "phd", "doctoralstudent", "masters", "mastersstudent",
             "postgraduate", "postgrad", "pgr", "pgt", "ug", "pg", "doctoral", "students"),
            "student",
        ),
        **dict.fromkeys(("postdoc", "postdoctoral", "postdoctoralfellow"), "postdoc"),
        **dict.fromkeys(("researcher", "researchstaff", "scientist", "fellow"), "researcher"),
        **dict.fromkeys(("staff", "employee", "administrativestaff", "librarystaff",
                         "professionalstaff", "supportstaff"), "staff"),
        **dict.fromkeys(
            ("external", "alumni", "alumnus", "community", "public", "visitor", "guest",
             "communitymember", "generalpublic", "alumna", "alumnae", "alum", "alumnus",
             "memberofthepublic", "visiting", "visitingacademic", "visitingscholar",
             "externaluser", "otheruniversity"),
            "external",
        ),
    },
}  # fmt: skip
VALUE_SYNONYMS["status"] = VALUE_SYNONYMS["person_status"]

_NOT_WORD = re.compile(r"[^0-9a-z]+")
_WORD = re.compile(r"[0-9a-z]+")


def fold(text: str) -> str:
    """Lower case, letters and digits only: "Walk-in" → "walkin", "E-mail" → "email"."""
    return _NOT_WORD.sub("", text.casefold())


def words(text: str) -> list[str]:
    """The words of a heading or a value, lower case: "E-mail (their own)" → email, their, own."""
    return _WORD.findall(text.casefold().replace("e-mail", "email"))


def by_words(known: dict[str, str], text: str) -> str | None:
    """A value that is no known word as a whole, read by its words: "Faculty (our university)"
    is faculty, "Member of the public" external, "phone call" phone. Pairs of words are
    tried before single words; a value whose words point to two different things is None."""
    found = words(text)
    for size in (4, 3, 2, 1):
        hits = {
            known[key]
            for i in range(len(found) - size + 1)
            if (key := "".join(found[i : i + size])) in known
        }
        if len(hits) == 1:
            return hits.pop()
        if hits:
            return None
    return None
