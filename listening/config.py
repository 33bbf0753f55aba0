"""The listening-program file (`pipelines/*.yaml`): typed, validated, versioned."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

PROGRAM_ID = r"^[a-z][a-z0-9_]{1,62}$"
#: Ids the trend table uses for its own rows: every topic or source (`all`), no topic (`none`).
RESERVED_IDS = frozenset({"all", "none"})

#: Entity types redacted unless a program says otherwise: the personal identifiers.
DEFAULT_REDACTED_ENTITIES: tuple[str, ...] = (
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "STREET_ADDRESS",
    "SOCIAL_HANDLE",
    "PROFILE_URL",
    "CREDIT_CARD",
    "IBAN_CODE",
    "IP_ADDRESS",
    "US_SSN",
    "US_DRIVER_LICENSE",
    "CA_SIN",
    "CA_HEALTH_CARD",
    "CA_POSTAL_CODE",
)


class ProgramConfigError(ValueError):
    """A pipeline file that cannot be used; the message names the file, the field and the problem."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PrivacyOfficer(_Model):
    """A person who may sign off weekly releases: their Airflow user id and the name shown."""

    id: str = Field(
        min_length=1, max_length=120, description="The Airflow user id (the login) that may respond."
    )
    name: str = Field(min_length=1, max_length=120, description="The name recorded with a decision.")


class Governance(_Model):
    """Why the program exists and who answers for it."""

    purpose: str = Field(min_length=10, description="What the agency listens for, and why.")
    approver: str = Field(min_length=2, description="The role or office that approved the program.")
    review_date: dt.date = Field(description="When the program must be reviewed again.")
    privacy_officers: list[PrivacyOfficer] = Field(
        default_factory=list,
        description=(
            "Who may approve or reject a weekly release (in Airflow's Required Actions or with "
            "`listening release`). Needed unless `privacy.auto_release` is set."
        ),
    )

    def officer(self, user_id: str) -> PrivacyOfficer | None:
        """The named privacy officer with this Airflow user id, if any."""
        return next((o for o in self.privacy_officers if o.id == user_id), None)


class Schedules(_Model):
    """Cron expressions, read in the program's time zone."""

    nightly: str = "30 2 * * *"
    weekly: str = "0 4 * * 1"
    retention: str = "0 5 * * *"
    timezone: str = "UTC"

    @field_validator("nightly", "weekly", "retention")
    @classmethod
    def _cron(cls, value: str) -> str:
        if len(value.split()) != 5:
            raise ValueError("must be a five-field cron expression")
        return value


SOURCE_NAME = r"^[a-z][a-z0-9_]{1,40}$"
#: Keys that would put a secret in the pipeline file; refused with a pointer to `connection`/`env`.
SECRET_KEYS = frozenset(
    {
        "token",
        "access_token",
        "api_key",
        "apikey",
        "key",
        "password",
        "app_password",
        "secret",
        "client_secret",
        "credentials",
    }
)
CredentialField = Literal["login", "password", "token"]


class _SourceBase(_Model):
    """What every source shares: its name and label, request limits, and where its secrets live."""

    name: str = Field(pattern=SOURCE_NAME)
    label: str | None = Field(
        default=None, max_length=80, description="The name analysts see in reports; default the name."
    )
    rate_limit: float = Field(default=1.0, gt=0.0, le=100.0, description="Most requests per second.")
    timeout_s: float = Field(default=20.0, gt=0.0, le=300.0, description="Timeout of one request, seconds.")
    max_pages: int = Field(default=50, ge=1, le=10_000, description="Most pages read per slice.")
    connection: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_.-]{1,200}$",
        description="Id of the Airflow connection that holds this source's login, password or token.",
    )
    env: dict[CredentialField, str] = Field(
        default_factory=dict,
        description=(
            "Environment variables holding this source's secrets, e.g. `{token: MASTODON_TOKEN}`: the "
            "variables' names, never their values."
        ),
    )

    @model_validator(mode="before")
    @classmethod
    def _no_inline_secrets(cls, data: object) -> object:
        if isinstance(data, dict):
            inline = sorted(k for k in data if isinstance(k, str) and k.lower() in SECRET_KEYS)
            if inline:
                raise ValueError(
                    f"{', '.join(inline)}: secrets never go in the pipeline file; name an Airflow "
                    "connection (`connection`) or environment variables (`env`)"
                )
        return data

    @field_validator("env")
    @classmethod
    def _env_names(cls, value: dict[str, str]) -> dict[str, str]:
        for field, name in value.items():
            if not re.fullmatch(r"[A-Z][A-Z0-9_]{0,127}", name):
                raise ValueError(f"env.{field} must name an environment variable (A-Z, 0-9, _)")
        return value


class FileSource(_SourceBase):
    """Files dropped by an upstream export: one file per day, or a glob, inside the data folder."""

    kind: Literal["file"] = "file"
    path: str = Field(
        description=(
            "Path or glob; `{date}` becomes the day as YYYY-MM-DD and `{data_dir}` the configured data "
            "folder. Relative paths are read from the data folder; a path outside it is refused."
        )
    )
    format: Literal["jsonl", "csv", "parquet"] = "jsonl"
    platform: str = Field(default="file", description="Platform recorded when a record names none.")
    delete_after_store: bool = Field(
        default=False,
        description="Delete each input file once every slice of its day is stored (never after a failure).",
    )


class MastodonSource(_SourceBase):
    """Public posts of a Mastodon server: hashtag timelines and status search."""

    kind: Literal["mastodon"]
    platform: str = "mastodon"
    base_url: str = Field(default="https://mastodon.social", description="The server (or a mirror).")
    hashtags: list[str] = Field(default_factory=list, description="Hashtags, without `#`.")
    search: list[str] = Field(
        default_factory=list, description="Status search terms (most servers need a token)."
    )


class BlueskySource(_SourceBase):
    """Bluesky post search (`app.bsky.feed.searchPosts`); login = handle, password = app password."""

    kind: Literal["bluesky"]
    platform: str = "bluesky"
    base_url: str = Field(default="https://bsky.social", description="Where to authenticate and search.")
    search: list[str] = Field(default_factory=list, description="Search terms.")


class RedditSource(_SourceBase):
    """Reddit's API: subreddit `new` listings and search; login = client id, password = client secret."""

    kind: Literal["reddit"]
    platform: str = "reddit"
    base_url: str = Field(default="https://oauth.reddit.com")
    auth_url: str = Field(default="https://www.reddit.com/api/v1/access_token")
    subreddits: list[str] = Field(default_factory=list, description="Subreddit names, without `r/`.")
    search: list[str] = Field(default_factory=list, description="Search terms.")
    user_agent: str = Field(default="listening/1.0", max_length=200)


class RssSource(_SourceBase):
    """RSS or Atom feeds."""

    kind: Literal["rss"]
    platform: str = "rss"
    url: str | None = Field(default=None, description="One feed URL.")
    feeds: list[str] = Field(default_factory=list, description="Feed URLs.")

    @model_validator(mode="after")
    def _some_feed(self) -> RssSource:
        if not self.url and not self.feeds:
            raise ValueError("an rss source needs `url` or `feeds`")
        return self

    @property
    def feed_urls(self) -> list[str]:
        return ([self.url] if self.url else []) + [f for f in self.feeds if f != self.url]


Source = Annotated[
    FileSource | MastodonSource | BlueskySource | RedditSource | RssSource, Field(discriminator="kind")
]
SourceConfig = FileSource | MastodonSource | BlueskySource | RedditSource | RssSource
#: Source kinds that query a platform, and the fields holding their queries.
QUERY_FIELDS: dict[str, tuple[str, ...]] = {
    "mastodon": ("hashtags", "search"),
    "bluesky": ("search",),
    "reddit": ("subreddits", "search"),
    "rss": ("url", "feeds"),
}


def source_queries(program: ProgramConfig, source: SourceConfig) -> list[tuple[str, str]]:
    """(field, query) pairs a source fetches: its own lists, else the program's `queries` (`#x` is a
    hashtag, anything else a search term). A file source has none."""
    fields = QUERY_FIELDS.get(source.kind, ())
    own: list[tuple[str, str]] = []
    for name in fields:
        value = getattr(source, name)
        own += [(name, v) for v in ([value] if isinstance(value, str) else value or [])]
    if own or source.kind in {"file", "rss"}:
        return own
    pairs: list[tuple[str, str]] = []
    for query in program.queries:
        if query.startswith("#") and "hashtags" in fields:
            pairs.append(("hashtags", query[1:]))
        elif "search" in fields:
            pairs.append(("search", query))
    return pairs


class Topic(_Model):
    """One topic of the taxonomy, assigned when any phrase matches as whole words."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,40}$")
    label: str
    phrases: list[str] = Field(min_length=1)


class RedactionPolicy(_Model):
    """What the redactor removes and how."""

    version: str = Field(
        default="1",
        min_length=1,
        max_length=16,
        description="Recorded with every redaction, followed by the NER model's version (`1+ner1.0.0`).",
    )
    entities: list[str] = Field(default_factory=lambda: list(DEFAULT_REDACTED_ENTITIES))
    default_threshold: float = Field(default=0.4, ge=0.0, le=1.0)
    thresholds: dict[str, float] = Field(default_factory=dict)
    operator: Literal["type", "mask"] = Field(
        default="type", description="`type` writes `<TYPE>`; `mask` writes `*` for every character."
    )
    allow_list: list[str] = Field(
        default_factory=list, description="Public accounts and names that are never redacted."
    )

    @field_validator("thresholds")
    @classmethod
    def _thresholds(cls, value: dict[str, float]) -> dict[str, float]:
        for name, score in value.items():
            if not 0.0 <= score <= 1.0:
                raise ValueError(f"threshold for {name} must be between 0 and 1")
        return value

    def threshold(self, entity_type: str) -> float:
        return self.thresholds.get(entity_type, self.default_threshold)


class DifferentialPrivacy(_Model):
    """Optional OpenDP noise on released counts."""

    enabled: bool = False
    epsilon_per_release: float = Field(default=1.0, gt=0.0, le=10.0)
    yearly_epsilon_cap: float = Field(default=24.0, gt=0.0)
    max_posts_per_author_per_cell: int = Field(default=3, ge=1)
    max_cells_per_author: int = Field(default=4, ge=1)


class TrendSettings(_Model):
    """How reports read the weekly table: spike detection, emerging terms, the weeks shown."""

    spike_window_weeks: int = Field(
        default=8, ge=2, le=52, description="Trailing released weeks a week's volume is compared with."
    )
    spike_min_weeks: int = Field(
        default=3, ge=2, le=52, description="Released weeks of history a spike flag needs at least."
    )
    spike_z_threshold: float = Field(
        default=3.0,
        gt=0.0,
        le=20.0,
        description=(
            "A cell is a spike when (mentions - trailing mean) / trailing standard deviation reaches "
            "this; the deviation is at least the Poisson one, the square root of the mean."
        ),
    )
    report_weeks: int = Field(default=12, ge=2, le=104, description="Weeks shown in the analyst report.")
    emerging_terms: int = Field(
        default=12, ge=0, le=100, description="Emerging terms listed per report section (0: none)."
    )

    @model_validator(mode="after")
    def _window(self) -> TrendSettings:
        if self.spike_min_weeks > self.spike_window_weeks:
            raise ValueError("spike_min_weeks cannot exceed spike_window_weeks")
        return self


class PrivacyPolicy(_Model):
    """Disclosure control, retention and redaction for one program."""

    k: int = Field(default=10, description="Distinct authors a published cell needs.")
    text_retention_days: int = Field(default=30, ge=1)
    log_retention_days: int = Field(default=365, ge=1)
    quarantine_retention_days: int = Field(default=7, ge=1)
    auto_release: bool = Field(
        default=False, description="Release a week without a privacy officer's sign-off."
    )
    redaction: RedactionPolicy = Field(default_factory=RedactionPolicy)
    differential_privacy: DifferentialPrivacy = Field(default_factory=DifferentialPrivacy)

    @field_validator("k")
    @classmethod
    def _k(cls, value: int) -> int:
        if value < 5:
            raise ValueError("k below 5 publishes cells small enough to single people out")
        return value


class ProgramConfig(_Model):
    """One listening program: sources, taxonomy, privacy policy, schedules, governance."""

    program: str = Field(pattern=PROGRAM_ID)
    title: str
    governance: Governance
    schedules: Schedules = Field(default_factory=Schedules)
    languages: list[str] = Field(default_factory=lambda: ["en"])
    queries: list[str] = Field(
        default_factory=list,
        description=(
            "Search terms for connectors that query a platform: topics, hashtags, place names. A query "
            "that targets a person or an account is refused unless it is on the redaction allow-list."
        ),
    )
    sources: list[Source] = Field(min_length=1)
    topics: list[Topic] = Field(min_length=1)
    privacy: PrivacyPolicy = Field(default_factory=PrivacyPolicy)
    trends: TrendSettings = Field(default_factory=TrendSettings)

    @model_validator(mode="after")
    def _unique_names(self) -> ProgramConfig:
        for label, names in (
            ("sources", [s.name for s in self.sources]),
            ("topics", [t.id for t in self.topics]),
        ):
            seen = {n for n in names if names.count(n) > 1}
            if seen:
                raise ValueError(f"duplicate {label}: {', '.join(sorted(seen))}")
            reserved = sorted(RESERVED_IDS.intersection(names))
            if reserved:
                raise ValueError(f"{label} cannot be named {', '.join(reserved)}: the trend table uses it")
        return self

    @model_validator(mode="after")
    def _sign_off(self) -> ProgramConfig:
        if not self.privacy.auto_release and not self.governance.privacy_officers:
            raise ValueError(
                "governance.privacy_officers: name at least one privacy officer to sign off releases, "
                "or set privacy.auto_release"
            )
        ids = [o.id for o in self.governance.privacy_officers]
        if len(set(ids)) != len(ids):
            raise ValueError("governance.privacy_officers: an officer id is listed twice")
        return self

    def source_label(self, name: str) -> str:
        """A source's display name (its `label`, else its name); `all` reads "All sources"."""
        if name == "all":
            return "All sources"
        try:
            source = self.source(name)
        except KeyError:
            return name
        return source.label or source.name

    def topic_label(self, topic_id: str) -> str:
        """A topic's label; `all` reads "All topics" and `none` "No topic"."""
        fixed = {"all": "All topics", "none": "No topic"}
        return fixed.get(topic_id) or next((t.label for t in self.topics if t.id == topic_id), topic_id)

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)

    @property
    def fingerprint(self) -> str:
        """A short hash of the whole configuration, recorded with runs and releases."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:12]


def _location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def load_program(path: Path) -> ProgramConfig:
    """Read and validate one pipeline file, or raise `ProgramConfigError` naming file and field."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ProgramConfigError(f"{path}: cannot read the file ({type(exc).__name__})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ProgramConfigError(f"{path}: not valid YAML{where}") from None
    if not isinstance(raw, dict):
        raise ProgramConfigError(f"{path}: (top level): expected a mapping of settings")
    try:
        return ProgramConfig.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{_location(err['loc'])}: {err['msg']}" for err in exc.errors())
        raise ProgramConfigError(f"{path}: {problems}") from None


def load_programs(directory: Path) -> list[tuple[Path, ProgramConfig]]:
    """Every `*.yaml` in a folder with its path, in file-name order; program ids must be unique."""
    programs = [(path, load_program(path)) for path in sorted(directory.glob("*.yaml"))]
    ids = [program.program for _, program in programs]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ProgramConfigError(f"{directory}: program ids used twice: {', '.join(dupes)}")
    return programs
