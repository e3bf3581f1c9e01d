/**
 * The AWS SDK for JavaScript v3 emits a "NodeVersionSupportWarning" once per process on Node < 22.
 * It says nothing the user can act on during a run, so exactly that warning is dropped; every other
 * warning still reaches Node's own handler.
 */
export function filterNodeVersionWarning(): void {
  const previous = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (w: Error) => {
    if (w.name === 'NodeVersionSupportWarning' || w.message.startsWith('NodeVersionSupportWarning')) return;
    for (const l of previous) l.call(process, w);
  });
}
