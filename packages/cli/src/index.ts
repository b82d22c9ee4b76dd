export { formatStatus } from './key-status-format.js';
