FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY producer ./producer
COPY worker ./worker
RUN pip install --no-cache-dir '.[ops]'
ENV PHOTOREEL_LOG_FORMAT=json
ENTRYPOINT ["photoreel"]
CMD ["worker"]
