import { notImplemented, type ServiceDefinition } from '@linkops/shared';

/** whis_logic: routes and workers arrive with their issue; until then its endpoints answer 501. */
export const service: ServiceDefinition = {
  name: 'whis_logic',
  routes(app) {
    app.all('/v0/*', async () => {
      throw notImplemented('whis_logic');
    });
  },
};
