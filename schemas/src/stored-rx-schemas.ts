// Written by `npm run generate:rx-schemas` (scripts/generate-rx-schemas.ts) from the zod schemas; do not edit.
import type { CollectionName } from './registry.ts';
import type { DerivedRxSchema } from './rx-schema.ts';

/** Each collection's RxDB schema at its current version, as `rxSchemaOf` derives it: devices open their database with these. */
export const storedRxSchemas: { readonly [K in CollectionName]: DerivedRxSchema } = {
  user: {
    title: 'user',
    version: 0,
    primaryKey: 'id',
    type: 'object',
    properties: {
      id: {
        type: 'string',
        maxLength: 36,
        pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[0-9A-HJKMNP-TV-Z]{26}$',
      },
      name: {
        type: 'string',
        maxLength: 120,
      },
      email: {
        type: 'string',
        maxLength: 254,
      },
      address: {
        type: 'string',
        maxLength: 500,
      },
      paymentToken: {
        type: 'string',
        maxLength: 200,
      },
    },
    required: ['id', 'name', 'email', 'address', 'paymentToken'],
    additionalProperties: false,
  },
  draftOrders: {
    title: 'draftOrders',
    version: 3,
    primaryKey: 'id',
    type: 'object',
    properties: {
      id: {
        type: 'string',
        maxLength: 36,
        pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[0-9A-HJKMNP-TV-Z]{26}$',
      },
      status: {
        type: 'string',
        enum: [
          'draft',
          'placing',
          'placed',
          'awaitingApproval',
          'received',
          'preparing',
          'ready',
          'outForDelivery',
          'delivered',
          'cancelled',
          'rejected',
        ],
      },
      lines: {
        maxItems: 100,
        type: 'array',
        items: {
          type: 'object',
          properties: {
            itemId: {
              type: 'string',
              maxLength: 36,
              pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[0-9A-HJKMNP-TV-Z]{26}$',
            },
            count: {
              type: 'integer',
              minimum: 1,
              maximum: 99,
            },
            unitCents: {
              type: 'integer',
              minimum: 0,
              maximum: 100000000,
            },
          },
          required: ['itemId', 'count'],
          additionalProperties: false,
        },
      },
      itemCount: {
        type: 'integer',
        minimum: 0,
        maximum: 9900,
      },
      totalCents: {
        type: 'integer',
        minimum: 0,
        maximum: 100000000,
      },
      note: {
        type: 'string',
        maxLength: 1000,
      },
      slotId: {
        anyOf: [
          {
            type: 'string',
            maxLength: 36,
            pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[0-9A-HJKMNP-TV-Z]{26}$',
          },
          {
            type: 'null',
          },
        ],
      },
      ydoc: {
        type: 'string',
        maxLength: 262144,
      },
      createdTime: {
        type: 'string',
        maxLength: 24,
        pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
      },
      placedTime: {
        type: 'string',
        maxLength: 24,
        pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
      },
      receivedTime: {
        type: 'string',
        maxLength: 24,
        pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
      },
      rejectReason: {
        type: 'string',
        maxLength: 500,
      },
      approveBy: {
        type: 'string',
        maxLength: 24,
        pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
      },
      steps: {
        maxItems: 16,
        type: 'array',
        items: {
          type: 'object',
          properties: {
            status: {
              type: 'string',
              enum: [
                'draft',
                'placing',
                'placed',
                'awaitingApproval',
                'received',
                'preparing',
                'ready',
                'outForDelivery',
                'delivered',
                'cancelled',
                'rejected',
              ],
            },
            at: {
              type: 'string',
              maxLength: 24,
              pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
            },
          },
          required: ['status', 'at'],
          additionalProperties: false,
        },
      },
      cancelReason: {
        type: 'string',
        maxLength: 500,
      },
      cancelledBy: {
        type: 'string',
        enum: ['shopper', 'store'],
      },
      driverId: {
        type: 'string',
        pattern: '^[A-Za-z0-9_.-]{1,64}$',
      },
      refundedTime: {
        type: 'string',
        maxLength: 24,
        pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
      },
      splitFrom: {
        type: 'string',
        maxLength: 36,
        pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[0-9A-HJKMNP-TV-Z]{26}$',
      },
      paymentToken: {
        type: 'string',
        maxLength: 200,
      },
      refusal: {
        type: 'object',
        properties: {
          reason: {
            type: 'string',
            maxLength: 500,
          },
          at: {
            type: 'string',
            maxLength: 24,
            pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
          },
        },
        required: ['reason', 'at'],
        additionalProperties: false,
      },
    },
    required: ['id', 'status', 'lines', 'itemCount', 'totalCents', 'note', 'slotId', 'ydoc', 'createdTime'],
    additionalProperties: false,
  },
  placedOrders: {
    title: 'placedOrders',
    version: 3,
    primaryKey: 'id',
    type: 'object',
    properties: {
      id: {
        type: 'string',
        maxLength: 36,
        pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[0-9A-HJKMNP-TV-Z]{26}$',
      },
      status: {
        type: 'string',
        enum: [
          'draft',
          'placing',
          'placed',
          'awaitingApproval',
          'received',
          'preparing',
          'ready',
          'outForDelivery',
          'delivered',
          'cancelled',
          'rejected',
        ],
      },
      lines: {
        maxItems: 100,
        type: 'array',
        items: {
          type: 'object',
          properties: {
            itemId: {
              type: 'string',
              maxLength: 36,
              pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[0-9A-HJKMNP-TV-Z]{26}$',
            },
            count: {
              type: 'integer',
              minimum: 1,
              maximum: 99,
            },
            unitCents: {
              type: 'integer',
              minimum: 0,
              maximum: 100000000,
            },
          },
          required: ['itemId', 'count'],
          additionalProperties: false,
        },
      },
      itemCount: {
        type: 'integer',
        minimum: 0,
        maximum: 9900,
      },
      totalCents: {
        type: 'integer',
        minimum: 0,
        maximum: 100000000,
      },
      note: {
        type: 'string',
        maxLength: 1000,
      },
      slotId: {
        anyOf: [
          {
            type: 'string',
            maxLength: 36,
            pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[0-9A-HJKMNP-TV-Z]{26}$',
          },
          {
            type: 'null',
          },
        ],
      },
      ydoc: {
        type: 'string',
        maxLength: 262144,
      },
      createdTime: {
        type: 'string',
        maxLength: 24,
        pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
      },
      placedTime: {
        type: 'string',
        maxLength: 24,
        pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
      },
      receivedTime: {
        type: 'string',
        maxLength: 24,
        pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
      },
      rejectReason: {
        type: 'string',
        maxLength: 500,
      },
      approveBy: {
        type: 'string',
        maxLength: 24,
        pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
      },
      steps: {
        maxItems: 16,
        type: 'array',
        items: {
          type: 'object',
          properties: {
            status: {
              type: 'string',
              enum: [
                'draft',
                'placing',
                'placed',
                'awaitingApproval',
                'received',
                'preparing',
                'ready',
                'outForDelivery',
                'delivered',
                'cancelled',
                'rejected',
              ],
            },
            at: {
              type: 'string',
              maxLength: 24,
              pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
            },
          },
          required: ['status', 'at'],
          additionalProperties: false,
        },
      },
      cancelReason: {
        type: 'string',
        maxLength: 500,
      },
      cancelledBy: {
        type: 'string',
        enum: ['shopper', 'store'],
      },
      driverId: {
        type: 'string',
        pattern: '^[A-Za-z0-9_.-]{1,64}$',
      },
      refundedTime: {
        type: 'string',
        maxLength: 24,
        pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
      },
      splitFrom: {
        type: 'string',
        maxLength: 36,
        pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[0-9A-HJKMNP-TV-Z]{26}$',
      },
      paymentToken: {
        type: 'string',
        maxLength: 200,
      },
      refusal: {
        type: 'object',
        properties: {
          reason: {
            type: 'string',
            maxLength: 500,
          },
          at: {
            type: 'string',
            maxLength: 24,
            pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
          },
        },
        required: ['reason', 'at'],
        additionalProperties: false,
      },
    },
    required: ['id', 'status', 'lines', 'itemCount', 'totalCents', 'note', 'slotId', 'ydoc', 'createdTime'],
    additionalProperties: false,
  },
  processedOrders: {
    title: 'processedOrders',
    version: 3,
    primaryKey: 'id',
    type: 'object',
    properties: {
      id: {
        type: 'string',
        maxLength: 36,
        pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[0-9A-HJKMNP-TV-Z]{26}$',
      },
      status: {
        type: 'string',
        enum: [
          'draft',
          'placing',
          'placed',
          'awaitingApproval',
          'received',
          'preparing',
          'ready',
          'outForDelivery',
          'delivered',
          'cancelled',
          'rejected',
        ],
      },
      lines: {
        maxItems: 100,
        type: 'array',
        items: {
          type: 'object',
          properties: {
            itemId: {
              type: 'string',
              maxLength: 36,
              pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[0-9A-HJKMNP-TV-Z]{26}$',
            },
            count: {
              type: 'integer',
              minimum: 1,
              maximum: 99,
            },
            unitCents: {
              type: 'integer',
              minimum: 0,
              maximum: 100000000,
            },
          },
          required: ['itemId', 'count'],
          additionalProperties: false,
        },
      },
      itemCount: {
        type: 'integer',
        minimum: 0,
        maximum: 9900,
      },
      totalCents: {
        type: 'integer',
        minimum: 0,
        maximum: 100000000,
      },
      note: {
        type: 'string',
        maxLength: 1000,
      },
      slotId: {
        anyOf: [
          {
            type: 'string',
            maxLength: 36,
            pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[0-9A-HJKMNP-TV-Z]{26}$',
          },
          {
            type: 'null',
          },
        ],
      },
      ydoc: {
        type: 'string',
        maxLength: 262144,
      },
      createdTime: {
        type: 'string',
        maxLength: 24,
        pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
      },
      placedTime: {
        type: 'string',
        maxLength: 24,
        pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
      },
      receivedTime: {
        type: 'string',
        maxLength: 24,
        pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
      },
      rejectReason: {
        type: 'string',
        maxLength: 500,
      },
      approveBy: {
        type: 'string',
        maxLength: 24,
        pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
      },
      steps: {
        maxItems: 16,
        type: 'array',
        items: {
          type: 'object',
          properties: {
            status: {
              type: 'string',
              enum: [
                'draft',
                'placing',
                'placed',
                'awaitingApproval',
                'received',
                'preparing',
                'ready',
                'outForDelivery',
                'delivered',
                'cancelled',
                'rejected',
              ],
            },
            at: {
              type: 'string',
              maxLength: 24,
              pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
            },
          },
          required: ['status', 'at'],
          additionalProperties: false,
        },
      },
      cancelReason: {
        type: 'string',
        maxLength: 500,
      },
      cancelledBy: {
        type: 'string',
        enum: ['shopper', 'store'],
      },
      driverId: {
        type: 'string',
        pattern: '^[A-Za-z0-9_.-]{1,64}$',
      },
      refundedTime: {
        type: 'string',
        maxLength: 24,
        pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
      },
      splitFrom: {
        type: 'string',
        maxLength: 36,
        pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[0-9A-HJKMNP-TV-Z]{26}$',
      },
      paymentToken: {
        type: 'string',
        maxLength: 200,
      },
      refusal: {
        type: 'object',
        properties: {
          reason: {
            type: 'string',
            maxLength: 500,
          },
          at: {
            type: 'string',
            maxLength: 24,
            pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
          },
        },
        required: ['reason', 'at'],
        additionalProperties: false,
      },
    },
    required: ['id', 'status', 'lines', 'itemCount', 'totalCents', 'note', 'slotId', 'ydoc', 'createdTime'],
    additionalProperties: false,
  },
  orderRequests: {
    title: 'orderRequests',
    version: 0,
    primaryKey: 'id',
    type: 'object',
    properties: {
      id: {
        type: 'string',
        maxLength: 36,
        pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[0-9A-HJKMNP-TV-Z]{26}$',
      },
      kind: {
        type: 'string',
        const: 'cancel',
      },
      reason: {
        type: 'string',
        maxLength: 500,
      },
      answer: {
        type: 'object',
        properties: {
          outcome: {
            type: 'string',
            enum: ['accepted', 'refused'],
          },
          reason: {
            type: 'string',
            maxLength: 500,
          },
          at: {
            type: 'string',
            maxLength: 24,
            pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
          },
        },
        required: ['outcome', 'reason', 'at'],
        additionalProperties: false,
      },
    },
    required: ['id', 'kind'],
    additionalProperties: false,
  },
  deliveries: {
    title: 'deliveries',
    version: 0,
    primaryKey: 'id',
    type: 'object',
    properties: {
      id: {
        type: 'string',
        maxLength: 36,
        pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[0-9A-HJKMNP-TV-Z]{26}$',
      },
      orderReplica: {
        type: 'string',
        maxLength: 120,
      },
      customerName: {
        type: 'string',
        maxLength: 120,
      },
      address: {
        type: 'string',
        maxLength: 500,
      },
      note: {
        type: 'string',
        maxLength: 1000,
      },
      items: {
        maxItems: 100,
        type: 'array',
        items: {
          type: 'object',
          properties: {
            name: {
              type: 'string',
              maxLength: 200,
            },
            count: {
              type: 'integer',
              minimum: 1,
              maximum: 99,
            },
          },
          required: ['name', 'count'],
          additionalProperties: false,
        },
      },
      totalCents: {
        type: 'integer',
        minimum: 0,
        maximum: 100000000,
      },
      slotStart: {
        anyOf: [
          {
            type: 'string',
            maxLength: 24,
            pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
          },
          {
            type: 'null',
          },
        ],
      },
      slotEnd: {
        anyOf: [
          {
            type: 'string',
            maxLength: 24,
            pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
          },
          {
            type: 'null',
          },
        ],
      },
      status: {
        type: 'string',
        enum: ['assigned', 'pickedUp', 'delivered', 'withdrawn'],
      },
      steps: {
        maxItems: 8,
        type: 'array',
        items: {
          type: 'object',
          properties: {
            status: {
              type: 'string',
              enum: ['assigned', 'pickedUp', 'delivered', 'withdrawn'],
            },
            at: {
              type: 'string',
              maxLength: 24,
              pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
            },
          },
          required: ['status', 'at'],
          additionalProperties: false,
        },
      },
      withdrawnReason: {
        type: 'string',
        maxLength: 500,
      },
    },
    required: ['id', 'orderReplica', 'customerName', 'address', 'note', 'items', 'totalCents', 'slotStart', 'slotEnd', 'status', 'steps'],
    additionalProperties: false,
  },
  availability: {
    title: 'availability',
    version: 1,
    primaryKey: 'id',
    type: 'object',
    properties: {
      id: {
        type: 'string',
        maxLength: 36,
        pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[0-9A-HJKMNP-TV-Z]{26}$',
      },
      start: {
        type: 'string',
        maxLength: 24,
        pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
      },
      end: {
        type: 'string',
        maxLength: 24,
        pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
      },
      capacity: {
        type: 'integer',
        minimum: 0,
        maximum: 10000,
      },
      taken: {
        type: 'integer',
        minimum: 0,
        maximum: 10000,
      },
      cutoff: {
        type: 'string',
        maxLength: 24,
        pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
      },
      scheduleId: {
        type: 'string',
        maxLength: 36,
        pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[0-9A-HJKMNP-TV-Z]{26}$',
      },
    },
    required: ['id', 'start', 'end', 'capacity', 'taken', 'cutoff'],
    additionalProperties: false,
  },
  catalog: {
    title: 'catalog',
    version: 0,
    primaryKey: 'id',
    type: 'object',
    properties: {
      id: {
        type: 'string',
        maxLength: 36,
        pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[0-9A-HJKMNP-TV-Z]{26}$',
      },
      name: {
        type: 'string',
        minLength: 1,
        maxLength: 80,
      },
      description: {
        type: 'string',
        maxLength: 500,
      },
      kind: {
        type: 'string',
        enum: ['coffee', 'accessory'],
      },
      priceCents: {
        type: 'integer',
        minimum: 0,
        maximum: 100000000,
      },
      image: {
        type: 'string',
        pattern: '^[0-9a-f]{64}$',
      },
      available: {
        type: 'boolean',
      },
    },
    required: ['id', 'name', 'description', 'kind', 'priceCents', 'image', 'available'],
    additionalProperties: false,
  },
};
