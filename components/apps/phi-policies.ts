export const PHI_POLICIES = [
  {
    value: 'scrub',
    label: 'Scrub and restore',
    help: '(recommended) identifiers become tokens before the model sees them and are put back in the answer.',
    summary: 'PHI is replaced by tokens on the way out and restored in answers.',
  },
  {
    value: 'redact',
    label: 'Redact',
    help: 'identifiers become tokens and stay tokens in the answer.',
    summary: 'PHI is replaced by tokens; answers keep the tokens.',
  },
  {
    value: 'block',
    label: 'Block',
    help: 'a request that contains PHI is refused.',
    summary: 'Requests that contain PHI are refused.',
  },
  {
    value: 'off',
    label: 'Off',
    help: 'nothing is checked. Only for apps that handle no PHI.',
    summary: 'Nothing is checked (the app handles no PHI).',
  },
] as const;

export function phiPolicyLabel(value: string): string {
  return PHI_POLICIES.find((p) => p.value === value)?.label ?? value;
}
