"""Settings of the NemoVideo backend, read from its own variables."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from config.settings import ENV_FILE

GENERATION_COST = 100
"""Credits one generation costs, about (the protocol's figure)."""


class NemoSettings(BaseSettings):
    """The NemoVideo cloud backend's knobs: the vendor's own variable names (``NEMO_API_URL``
    …) and photoreel's ``PHOTOREEL_NEMO_…`` ones."""

    model_config = SettingsConfigDict(
        env_prefix="",
        env_file=ENV_FILE,
        env_ignore_empty=True,
        extra="ignore",
        populate_by_name=True,
    )

    nemo_api_url: str = Field(
        default="https://mega-api-prod.nemovideo.ai", description="NemoVideo API base URL"
    )
    nemo_web_url: str = Field(
        default="https://nemovideo.com", description="NemoVideo web app, for task links in reports"
    )
    nemo_token: SecretStr | None = Field(
        default=None, description="bearer token; unset: an anonymous token is requested"
    )
    nemo_client_id: str | None = Field(
        default=None,
        description="X-Client-Id for anonymous tokens; unset: ~/.config/nemovideo/client_id",
    )
    skill_source: str = Field(default="unknown", description="X-Skill-Platform value")
    nemo_poll_seconds: float = Field(
        validation_alias="PHOTOREEL_NEMO_POLL_SECONDS",
        default=10.0,
        gt=0,
        description="NemoVideo state and render polling interval, seconds",
    )
    nemo_max_sessions: int = Field(
        validation_alias="PHOTOREEL_NEMO_MAX_SESSIONS",
        default=8,
        ge=1,
        description="NemoVideo sessions generating at once, across all workers",
    )
    nemo_calls_per_second: float = Field(
        validation_alias="PHOTOREEL_NEMO_CALLS_PER_SECOND",
        default=10.0,
        gt=0,
        description="NemoVideo API calls per second, across all workers",
    )
    nemo_settle_seconds: float = Field(
        validation_alias="PHOTOREEL_NEMO_SETTLE_SECONDS",
        default=120.0,
        gt=0,
        description="NemoVideo: a draft unchanged this long counts as finished without stage 2",
    )
    nemo_completion_timeout: float = Field(
        validation_alias="PHOTOREEL_NEMO_COMPLETION_TIMEOUT",
        default=1200.0,
        gt=0,
        description="NemoVideo: longest wait for a generated draft, seconds",
    )
    nemo_start_grace_seconds: float = Field(
        validation_alias="PHOTOREEL_NEMO_START_GRACE_SECONDS",
        default=60.0,
        gt=0,
        description="NemoVideo: after words and no tool call, an empty draft this long means the"
        " message started no generation, seconds",
    )
    nemo_stream_cap_seconds: float = Field(
        validation_alias="PHOTOREEL_NEMO_STREAM_CAP_SECONDS",
        default=900.0,
        gt=0,
        description="NemoVideo: longest a message stream is read, seconds",
    )
    nemo_heartbeat_timeout: float = Field(
        validation_alias="PHOTOREEL_NEMO_HEARTBEAT_TIMEOUT",
        default=600.0,
        gt=0,
        description="NemoVideo: only heartbeats this long ends the stream read, seconds",
    )
    nemo_render_polls: int = Field(
        validation_alias="PHOTOREEL_NEMO_RENDER_POLLS",
        default=20,
        ge=1,
        description="NemoVideo: render status polls before a render is given up",
    )
    nemo_request_timeout: float = Field(
        validation_alias="PHOTOREEL_NEMO_REQUEST_TIMEOUT",
        default=30.0,
        gt=0,
        description="NemoVideo: timeout of one API call, seconds",
    )
    nemo_rate_limit_wait: float = Field(
        validation_alias="PHOTOREEL_NEMO_RATE_LIMIT_WAIT",
        default=30.0,
        ge=0,
        description="NemoVideo: wait on HTTP 429 without Retry-After, seconds",
    )
