import { parseDockerfile } from './dockerfile/parse.js';
console.log(JSON.stringify(parseDockerfile('FROM alpine\nRUN --mount=type=cache,target=/var/cache/apk apk add curl=8.9.1-r0\nCOPY --from=build . /app\nCOPY --chown=a:b ["x", "y"]').instructions.map(i=>[i.args,i.rawArgs,i.flags])));
