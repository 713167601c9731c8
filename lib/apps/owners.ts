// An app's owners: adding one (an active account), removing one (never the last).
export { addOwner } from './add-owner';
export { removeOwner } from './remove-owner';
