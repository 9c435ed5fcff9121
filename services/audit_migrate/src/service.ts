import { notImplemented, type ServiceDefinition } from '@linkops/shared';

/** audit_migrate: routes and workers arrive with their issue; until then its endpoints answer 501. */
export const service: ServiceDefinition = {
  name: 'audit_migrate',
  routes(app) {
    app.all('/v0/*', async () => {
      throw notImplemented('audit_migrate');
    });
  },
};
