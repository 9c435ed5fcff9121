import { notImplemented, type ServiceDefinition } from '@linkops/shared';

/** whis_enhance: routes and workers arrive with their issue; until then its endpoints answer 501. */
export const service: ServiceDefinition = {
  name: 'whis_enhance',
  routes(app) {
    app.all('/v0/*', async () => {
      throw notImplemented('whis_enhance');
    });
  },
};
