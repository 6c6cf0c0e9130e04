# Debian 12 (bookworm), the release the Makefile's SYSTEM_PACKAGES are installed from too.
# Three stages: the locked dependencies in a virtualenv, the project's own wheel, and the image
# that runs them, which has neither pip, a build backend nor any download cache.

# The dependencies, exactly as deploy/requirements.lock pins them (every file checked against its
# hash; `make lock` refreshes it). All of them install from wheels: nothing compiles. No bytecode
# and no test suites are kept (about 160 MB): see PYTHONPYCACHEPREFIX below.
FROM python:3.11-slim-bookworm AS dependencies
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY deploy/requirements.lock /tmp/requirements.lock
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-compile --require-hashes -r /tmp/requirements.lock \
    && /opt/venv/bin/pip uninstall --yes pip setuptools \
    && find /opt/venv -depth -type d \( -name __pycache__ -o -path '*/site-packages/*/tests' \) \
        -exec rm -rf {} +

# The project itself, built with the locked build backend (deploy/build.lock) and installed into
# a tree of its own laid out like /opt/venv, so that a code change rebuilds only the image's last
# layer. Its console script already names /opt/venv/bin/python.
FROM python:3.11-slim-bookworm AS code
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY deploy/build.lock /tmp/build.lock
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --require-hashes -r /tmp/build.lock
COPY . /src
RUN /opt/venv/bin/pip install --no-deps --no-build-isolation --no-compile --prefix /opt/code /src

FROM python:3.11-slim-bookworm
# The fonts the title renderer looks up (worker/backends/local/titles.py): Latin, CJK and
# emoji, as the Makefile's SYSTEM_PACKAGES installs them for the tests; fontconfig for fc-list.
# The user the services run as. Compose may run them under another uid/gid (PHOTOREEL_UID,
# PHOTOREEL_GID) so that ./out stays the host user's: HOME is fixed, and the folder of the
# NemoVideo client id (a named volume in compose) and the HTTP cache of fetched photos
# (~/.cache/photoreel/http) are writable by any uid.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        fontconfig fonts-dejavu-core fonts-wqy-zenhei fonts-noto-color-emoji \
    && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
    && groupadd --gid 1000 photoreel \
    && useradd --uid 1000 --gid 1000 --create-home --home-dir /home/photoreel photoreel \
    && chmod 0755 /home/photoreel \
    && install -d -m 1777 /home/photoreel/.config/nemovideo /home/photoreel/.cache
ENV HOME=/home/photoreel
ENV PATH=/opt/venv/bin:$PATH PHOTOREEL_LOG_FORMAT=json
# Bytecode is compiled on first import into /tmp (writable by whatever uid compose runs the
# container as) and reused by every later process of the container: the health check, the
# pool's processes, a restart.
ENV PYTHONPYCACHEPREFIX=/tmp/pycache
# The beat tracker's (librosa's) numba functions cache what they compile there too: the
# installed packages are not writable.
ENV NUMBA_CACHE_DIR=/tmp/numba
USER photoreel
ENTRYPOINT ["photoreel"]
CMD ["worker"]
COPY --from=dependencies /opt/venv /opt/venv
COPY --from=code /opt/code /opt/venv
