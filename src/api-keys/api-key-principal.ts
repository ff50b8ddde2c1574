/** Who a request authenticated with an API key acts as. */
export interface ApiKeyPrincipal {
  keyId: string;
  name: string;
  createdAt: Date;
  owner: { id: string; email: string };
}
