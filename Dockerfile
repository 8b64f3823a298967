# One image for every role (APP_ROLE picks api, worker, scheduler or mock-api at run time).
FROM node:20 AS build
# swagger-ui-dist pulls in @scarf/scarf, whose install script reports the install: off (package.json
# scarfSettings says so too).
ENV SCARF_ANALYTICS=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The raw zone (RAW_EXPORT_DIR=data/raw) is a volume; the app runs as the image's unprivileged user.
RUN mkdir -p data && chown node:node data
USER node
EXPOSE 3000 8000 9464
CMD ["node", "dist/main.js"]
