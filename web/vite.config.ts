/**
 * The service centre's web app (clerk's window, department inbox, supervisor dashboard,
 * applicant evaluation): `vite build web` writes web/dist, which the server serves at `/`;
 * `vite web` runs it in development (see ../vite.apps.ts). Types and a few pure helpers
 * (working-day calendar, form messages) come straight from the engine and forms source folders.
 */
import { appConfig } from '../vite.apps.js';

export default appConfig(new URL('.', import.meta.url), '/');
