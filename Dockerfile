# The stream worker (`pantau worker`), as docker-compose.yml runs it.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PANTAU_DATA_DIR=/var/lib/pantau

WORKDIR /app
# Only what the installed package needs: the build context also holds .cache/ (Kafka jars,
# broker data) and local state, which do not belong in the image.
COPY pyproject.toml README.md ./
COPY streams ./streams
COPY agents ./agents
COPY domain ./domain
COPY schemas ./schemas
RUN pip install -e .

# RocksDB table stores live in PANTAU_DATA_DIR; a non-root user owns it, and it is the working
# directory so that nothing the worker writes lands in the (read-only to it) source tree.
RUN useradd --system --home-dir /var/lib/pantau --create-home pantau
USER pantau
WORKDIR /var/lib/pantau

EXPOSE 6066
CMD ["pantau", "worker"]
