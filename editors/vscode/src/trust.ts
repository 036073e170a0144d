// VS Code's Workspace Trust passed on to kairos (protocol/trust.md). No
// VS Code API here, so that node can test it.
//
// kairos keeps its own decision about a workspace, under XDG_DATA_HOME,
// and nothing the workspace holds can grant it: not its settings, not
// initializationOptions. So the extension passes VS Code's trust on in
// two ways that cannot be forged from inside the workspace:
// - editorTrust in initializationOptions: false (Restricted Mode) makes
//   the server withhold trust for the session, whatever kairos recorded;
//   true only tells it not to show its own "not trusted" message, since
//   the extension records the decision itself. It never grants trust.
// - the kairos.trust command, sent when VS Code says the workspace is
//   trusted (at start, and when the person grants trust): that records
//   the person's decision, as `kairos trust` in a terminal would.
// The extension never revokes a decision: Restricted Mode withholds trust
// only while VS Code runs the workspace that way.

/** The server command that records (or, with revoke, takes back) trust. */
export const TRUST_COMMAND = 'kairos.trust';

/** The keys added to initializationOptions for VS Code's trust. */
export function trustOptions(isTrusted: boolean): { editorTrust: boolean } {
  return { editorTrust: isTrusted };
}

/** What the server answers kairos.trust with, read defensively. */
export function trustResult(r: unknown): boolean | undefined {
  if (r && typeof r === 'object' && typeof (r as { trusted?: unknown }).trusted === 'boolean') {
    return (r as { trusted: boolean }).trusted;
  }
  return undefined;
}
