# The ledger's API on a slim Python, as a non-root user; configured only by LEDGER_* settings.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY infrastructure ./infrastructure
COPY api ./api
RUN pip install . && useradd --create-home --uid 10001 ledger
USER ledger
WORKDIR /home/ledger
EXPOSE 8000
CMD ["ledger", "serve", "--host", "0.0.0.0", "--port", "8000"]
