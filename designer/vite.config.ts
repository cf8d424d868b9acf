/**
 * The analysts' designer: `vite build designer` writes designer/dist, which the server serves
 * under /designer/; `vite designer` runs it in development (see ../vite.apps.ts). The app imports
 * the engine's moddle descriptor, supported-element table and FEEL compiler, and the forms merge,
 * straight from their source folders.
 */
import { appConfig } from '../vite.apps.js';

export default appConfig(new URL('.', import.meta.url), '/designer/');
