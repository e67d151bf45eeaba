/** A one-line progress display on stderr (plain lines when stderr is not a terminal). */
export function progress(label: string) {
  const tty = process.stderr.isTTY === true;
  const started = Date.now();
  return (step: string) => {
    const text = `[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${label}: ${step}`;
    process.stderr.write(tty ? `\r\x1b[2K${text}` : `${text}\n`);
  };
}
