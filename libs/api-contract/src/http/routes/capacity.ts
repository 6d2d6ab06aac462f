import { CapacityReport } from '../../capacity.js';
import { route } from '../route.js';

export const capacity = {
  get: route({
    method: 'GET',
    path: '/api/capacity',
    access: 'token',
    summary: 'elastic capacity: spend today against NODETOOL_RENT_MAX_SPEND_PER_DAY, each profile’s scale, instances and spend today, runs waiting per group',
    replies: { 200: CapacityReport },
    errors: {},
  }),
};
