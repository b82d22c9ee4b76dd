export { formatStatus } from './commands/key.js';
