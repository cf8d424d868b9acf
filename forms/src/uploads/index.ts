export { detectType } from './detect.js';
export { defaultUploadPolicy, UploadRefused, type UploadPolicy, type UploadProblem } from './policy.js';
export { storeUpload, type StoredUpload, type UploadSource } from './store.js';
