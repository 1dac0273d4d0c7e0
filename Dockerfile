# nvreq in a container, for CI systems that run tools as images:
#   docker build -t nvreq .
#   docker run --rm nvreq check nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04 --host preset:h100-r550
# The wheel is built in the first stage; the second has only Python and nvreq.
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY grammar/ grammar/
COPY docs/schema/ docs/schema/
COPY nvreq/ nvreq/
RUN python -m pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.12-slim
LABEL org.opencontainers.image.title="nvreq" \
      org.opencontainers.image.description="Will this GPU container image run on that host?"
# nvreq's extras to install: nvml reads a live host; add kubernetes for `nvreq webhook`
ARG EXTRAS=nvml
COPY --from=build /wheels /wheels
RUN python -m pip install --no-cache-dir "$(ls /wheels/nvreq-*.whl)[${EXTRAS}]" && rm -rf /wheels
USER 65534:65534
ENTRYPOINT ["nvreq"]
CMD ["--help"]
