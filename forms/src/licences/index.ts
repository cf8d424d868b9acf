export { licenceContentFor } from './issue.js';
