// A small C API over Bullet for Swift (TesseraPhysics). Every object is created and freed on
// the C++ side; Swift holds opaque handles and frees a world with tp_world_destroy, which frees
// every body and shape in it.
#ifndef TESSERA_BULLET_SHIM_H
#define TESSERA_BULLET_SHIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tp_world tp_world;

typedef enum tp_shape_kind {
    TP_SHAPE_BOX = 1,       // half extents x, y, z
    TP_SHAPE_SPHERE = 2,    // radius in x
    TP_SHAPE_CYLINDER = 3,  // half extents x, y, z (axis z)
    TP_SHAPE_CAPSULE = 4,   // radius in x, total height in z (axis z)
} tp_shape_kind;

typedef struct tp_body_spec {
    tp_shape_kind shape;
    float size[3];
    float position[3];
    float rotation[4];  // x, y, z, w
    float mass;         // 0: static
    float friction;
    float restitution;
} tp_body_spec;

/// The state of one body after a step.
typedef struct tp_body_state {
    uint32_t id;
    float position[3];
    float rotation[4];
    float linear_velocity[3];
} tp_body_state;

tp_world *tp_world_create(float gravity_z);
void tp_world_destroy(tp_world *world);

/// A static ground plane facing up at height z.
void tp_world_add_ground(tp_world *world, float z, float friction, float restitution);

/// Static terrain: `columns` × `rows` heights (row-major, x fastest), `spacing` metres apart,
/// the first sample at (0, 0). The heights are copied. False when the sizes are not usable.
int tp_world_add_heightfield(tp_world *world, const float *heights, int32_t columns, int32_t rows, float spacing, float friction);

/// Adds a body; returns its id (never 0), or 0 when the spec is not usable.
uint32_t tp_world_add_body(tp_world *world, const tp_body_spec *spec);
/// Removes a body; false when there is none with that id.
int tp_world_remove_body(tp_world *world, uint32_t id);
void tp_world_apply_impulse(tp_world *world, uint32_t id, const float impulse[3]);
void tp_world_set_velocity(tp_world *world, uint32_t id, const float velocity[3]);

/// Advances the world by `seconds` in fixed steps of `fixed_step` (at most `max_substeps`).
void tp_world_step(tp_world *world, float seconds, int max_substeps, float fixed_step);

/// Writes the state of every dynamic body that is awake (moved in the last step) into
/// `states` (room for `capacity`), and returns how many there are (possibly more than capacity).
uint32_t tp_world_read_active(const tp_world *world, tp_body_state *states, uint32_t capacity);
/// The state of one body; false when there is none with that id.
int tp_world_read_body(const tp_world *world, uint32_t id, tp_body_state *state);
uint32_t tp_world_body_count(const tp_world *world);

#ifdef __cplusplus
}
#endif

#endif
