import { keyFormErrors } from './key-views';

describe('keyFormErrors', () => {
  it('puts each message of the new-key form at its field, the rest on top of the button', () => {
    expect(
      keyFormErrors([
        'Give the key a name',
        'Pick the expiry date',
        'Choose at least one scope',
        '“10.0.0.0/33”: the prefix length must be 0 to 32',
        'At most 100 networks per key',
        'This form is out of date (it was open in an earlier sign-in). Nothing was created: fill it in again.',
      ]),
    ).toEqual({
      name: ['Give the key a name'],
      expiry: ['Pick the expiry date'],
      scopes: ['Choose at least one scope'],
      allowedNetworks: ['“10.0.0.0/33”: the prefix length must be 0 to 32', 'At most 100 networks per key'],
      other: ['This form is out of date (it was open in an earlier sign-in). Nothing was created: fill it in again.'],
    });
  });
});
