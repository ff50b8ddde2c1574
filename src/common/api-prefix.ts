/** Every route of the external REST API lives under this prefix and behind ApiKeyAuth. */
export const API_V1 = 'api/v1';
