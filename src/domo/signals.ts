/** Combining abort signals by hand: on Node 20, AbortSignal.any over yoga's request.signal stops it from cancelling. */

/** A signal that aborts when either does, with the reason of the first. */
export function eitherSignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  const controller = new AbortController();
  if (a.aborted || b.aborted) {
    controller.abort(a.aborted ? a.reason : b.reason);
    return controller.signal;
  }
  const onB = () => {
    a.removeEventListener('abort', onA);
    controller.abort(b.reason);
  };
  const onA = () => {
    b.removeEventListener('abort', onB);
    controller.abort(a.reason);
  };
  a.addEventListener('abort', onA, { once: true });
  b.addEventListener('abort', onB, { once: true });
  return controller.signal;
}
