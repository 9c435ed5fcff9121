import { notImplemented, type ServiceDefinition } from '@linkops/shared';

/** whis_smithing: routes and workers arrive with their issue; until then its endpoints answer 501. */
export const service: ServiceDefinition = {
  name: 'whis_smithing',
  routes(app) {
    app.all('/v0/*', async () => {
      throw notImplemented('whis_smithing');
    });
  },
};
