# One image for both processes: the API (default CMD) and the Temporal worker
# (`node --max-old-space-size=512 --max-semi-space-size=1 dist/worker/main.js` with
# GLIBC_TUNABLES=glibc.malloc.trim_threshold=131072, see docker-compose.yml).

# ---- build: compile TypeScript with the dev dependencies available ----
FROM node:20-bookworm-slim AS build
WORKDIR /app

# Manifests first so the dependency layer is reused while only source changes.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies and compiled output only ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app

# A fresh `npm ci --omit=dev` rather than pruning the build stage's node_modules,
# so nothing dev-only (jest, eslint, typescript) can leak into the image.
# `npm run build` bundled the workflows into dist/workflow-bundle.js, which the
# worker loads at start: it does not run a bundler.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY --from=build /app/dist ./dist
# The Platform UI's browser code is bundled by the API at start-up (esbuild) from src/ui.
COPY --from=build /app/src/ui ./src/ui

# The API and worker entrypoints need DATABASE_URL/TEMPORAL_ADDRESS, but the
# all-in-one `node dist/main.js` falls back to embedded defaults under ./.data;
# let the unprivileged user write there instead of failing with EACCES. The app
# code itself stays root-owned, so the process cannot modify it.
RUN mkdir -p /app/.data && chown node:node /app/.data

USER node
EXPOSE 3000
CMD ["node", "dist/api/server.js"]
