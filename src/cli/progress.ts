/**
 * The upload progress line: pure formatting (unit-tested) and the stderr writer around it.
 * Once every byte is sent the bar would sit near 100% while the last parts and the commit run;
 * the `committing` phase says so instead of looking stuck.
 */

export function human(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** Whole seconds as `45s`, `2m 05s` or `1h 02m`; `--` when unknown (no rate yet, or not finite). */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export type ProgressPhase = 'sending' | 'committing' | 'done';

export interface ProgressState {
  bytes: number;
  rows: number;
  /** Upload parts; absent for an export. */
  parts?: number;
  /** Rows and parts counted by the CLI (newlines, bytes / part size), not by the splitter. */
  estimated?: boolean;
  phase?: ProgressPhase;
}

/**
 * One progress line: bar, percent, bytes, rows, parts, rate, then the ETA or the phase. A `total`
 * of null (an export, whose size is known only at its end) shows bytes, rows and rate alone.
 */
export function formatProgress(state: ProgressState, total: number | null, elapsedSeconds: number): string {
  const phase = state.phase ?? 'sending';
  if (total === null) {
    const rate = elapsedSeconds > 0 ? state.bytes / elapsedSeconds : 0;
    return [
      human(state.bytes),
      `${state.rows.toLocaleString('en-US')} rows`,
      `${(elapsedSeconds > 0 ? state.rows / elapsedSeconds : 0).toFixed(0)} rows/s`,
      `${human(rate)}/s`,
      phase === 'done' ? `done in ${duration(elapsedSeconds)}` : 'receiving',
    ].join('  ');
  }
  const ratio = total > 0 ? Math.min(1, Math.max(0, state.bytes / total)) : 1;
  const width = 24;
  const bar = '#'.repeat(Math.round(ratio * width)).padEnd(width, '.');
  const approx = state.estimated ? '~' : '';
  const rate = elapsedSeconds > 0 ? state.bytes / elapsedSeconds : 0;
  // The ETA is the bytes left at the mean rate so far; unknown until some bytes moved.
  const eta = rate > 0 ? duration((total - state.bytes) / rate) : '--';
  const tail =
    phase === 'committing'
      ? 'committing (all bytes sent; finishing parts and the commit)'
      : phase === 'done'
        ? `done in ${duration(elapsedSeconds)}`
        : `ETA ${eta}`;
  return [
    `[${bar}] ${(ratio * 100).toFixed(0).padStart(3)}%`,
    `${human(state.bytes)} / ${human(total)}`,
    `${approx}${state.rows.toLocaleString('en-US')} rows`,
    `${approx}${state.parts ?? 0} parts`,
    `${human(rate)}/s`,
    tail,
  ].join('  ');
}

/** A progress line on stderr: rewritten in place on a terminal, every few seconds otherwise. */
export function progressBar(total: number | null, stream: NodeJS.WriteStream = process.stderr) {
  const started = performance.now();
  const tty = stream.isTTY;
  // The first update always prints, so even a short upload shows its start and its ETA.
  let last = Number.NEGATIVE_INFINITY;
  let phase: ProgressPhase = 'sending';
  return {
    /** A phase change is always written, so a log shows when the commit began. */
    update(state: ProgressState, force = false) {
      const now = performance.now();
      const changed = state.phase !== undefined && state.phase !== phase;
      if (!force && !changed && now - last < (tty ? 200 : 5000)) return;
      if (state.phase) phase = state.phase;
      last = now;
      const line = formatProgress({ ...state, phase }, total, (now - started) / 1000);
      stream.write(tty ? `\r${line}\u001b[K` : `${line}\n`);
    },
    done() {
      if (tty) stream.write('\n');
    },
  };
}
