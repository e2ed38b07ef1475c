// `npm run build` builds the H5Web page with this, after the Next app.
import { buildH5Web } from "./build.ts";

await buildH5Web();
