# syntax=docker/dockerfile:1
# Sluice image: multi-stage, runs as the unprivileged "node" user.
#   build   all dependencies, builds the web UI (ui/ → ui/dist) when the project has a build:ui script
#   deps    production dependencies only (npm ci --omit=dev). tsx is a runtime dependency: Sluice
#           runs its TypeScript sources through it, there is no separate compile step.
#   runtime sources + production node_modules + the built UI

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# --if-present: images built from a tree without the UI still build (the server then serves the API only)
RUN mkdir -p ui/dist && npm run build:ui --if-present

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    SLUICE_HOST=0.0.0.0 \
    SLUICE_PORT=8080 \
    SLUICE_DATA_DIR=/var/lib/sluice
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin ./bin
COPY server ./server
COPY processors ./processors
COPY flows ./flows
COPY --from=build /app/ui/dist ./ui/dist
RUN mkdir -p /var/lib/sluice && chown -R node:node /var/lib/sluice
USER node
EXPOSE 8080
VOLUME ["/var/lib/sluice"]
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=6 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.SLUICE_PORT || 8080) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Not `npm start`: its prestart step would try to rebuild the UI with dev dependencies.
CMD ["node", "bin/sluice.js", "serve"]
