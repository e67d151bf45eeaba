/** How a device joins: the demo's sign-in, email and password, a new account, or a pairing code from another device. */
export type SignIn =
  | { kind: 'dev'; device: string }
  | { kind: 'password'; email: string; password: string; device: string }
  | { kind: 'signUp'; name: string; email: string; password: string; device: string }
  | { kind: 'pair'; code: string; device: string };
