export { GroupCommit, openDurableFile } from './durable-file.ts';
