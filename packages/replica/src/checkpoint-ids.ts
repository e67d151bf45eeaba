/** The id of the local document (in the device's database) that keeps a collection's pull checkpoint; the app reads it to show a first sync's progress. */
export const pullCheckpointId = (name: string) => `pull-checkpoint-${name}`;
