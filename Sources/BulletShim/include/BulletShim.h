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
    uint32_t flags;     // TP_BODY_* bits
} tp_body_spec;

enum {
    /// Never tips over and never sleeps (avatars' capsules).
    TP_BODY_UPRIGHT = 1,
    /// Its contact starts and ends are reported by tp_world_read_contacts.
    TP_BODY_REPORT_CONTACTS = 2,
    /// A character (an avatar): an upright capsule (shape TP_SHAPE_CAPSULE) that the world moves
    /// itself before every fixed step by its intent (tp_world_set_intent), not as a free rigid
    /// body. It stands on terrain and prims, is stopped by prims, pushes the dynamic bodies it walks
    /// into (with at most tp_character_settings.push_force) and is pushed by those that hit it;
    /// characters keep apart from each other by a separation pass, never through the solver.
    /// `mass` is what pushes it (kg); in the solver it is kinematic (dynamic bodies bounce off it).
    TP_BODY_CHARACTER = 4,
};

/// A character's intent (tp_world_set_intent) flags.
enum {
    /// Vertical velocity is the intent's and gravity is off.
    TP_INTENT_FLYING = 1,
    /// Jump (jump_speed up) whenever it stands on something.
    TP_INTENT_JUMP = 2,
};

/// How characters move; one set per world.
typedef struct tp_character_settings {
    /// Upward speed of a jump, m/s.
    float jump_speed;
    /// Obstacles up to this high are stepped onto, and a character walking down a slope or off a
    /// step up to this high keeps its feet on the ground (m).
    float step_height;
    /// The most force (N) a character pushes a dynamic body it walks into with.
    float push_force;
} tp_character_settings;

/// A contact that started or ended in the last step. `other` is 0 for terrain or ground.
typedef struct tp_contact {
    uint32_t body;
    uint32_t other;
    int32_t started;  // 1: started, 0: ended
} tp_contact;

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

/// Adds a body; returns its id (never 0), or 0 when the spec is not usable. Ids of removed
/// bodies are given out again, so ids stay below the most bodies the world has held plus one.
uint32_t tp_world_add_body(tp_world *world, const tp_body_spec *spec);
/// Removes a body; false when there is none with that id.
int tp_world_remove_body(tp_world *world, uint32_t id);
void tp_world_apply_impulse(tp_world *world, uint32_t id, const float impulse[3]);
void tp_world_set_velocity(tp_world *world, uint32_t id, const float velocity[3]);
/// Gravity along z for one body (0 for a flying avatar); the world's by default.
void tp_world_set_body_gravity(tp_world *world, uint32_t id, float gravity_z);
/// Moves a body to a place at once, with a velocity (a teleport or a correction).
void tp_world_set_transform(tp_world *world, uint32_t id, const float position[3], const float rotation[4], const float velocity[3]);
/// The distance from a body's centre straight down to the nearest other solid within
/// `reach` metres, or a negative number when there is none.
float tp_world_distance_below(const tp_world *world, uint32_t id, float reach);

/// Sets how characters move (defaults: jump 3.2 m/s, step 0.35 m, push 784 N).
void tp_world_set_character_settings(tp_world *world, const tp_character_settings *settings);
/// A character's intended velocity (m/s; z only when flying) and TP_INTENT_* flags. No effect on
/// other bodies.
void tp_world_set_intent(tp_world *world, uint32_t id, const float velocity[3], uint32_t flags);
/// Whether a character stands on something (terrain or a body) after the last step: 1 yes, 0 no,
/// -1 when `id` is not a character.
int tp_world_character_standing(const tp_world *world, uint32_t id);

/// What characters cost: counted over every fixed step since the world was made.
typedef struct tp_character_counters {
    /// Fixed steps.
    uint64_t steps;
    /// Character-steps that moved a character (idle characters cost nothing and are not counted).
    uint64_t moved;
    /// Of those, the ones with a prim near enough to need swept queries (the others move over the
    /// terrain's height alone).
    uint64_t swept;
    /// Pairs of characters pushed apart by the separation pass.
    uint64_t separated;
} tp_character_counters;
void tp_world_read_character_counters(const tp_world *world, tp_character_counters *counters);

/// Advances the world by `seconds` in fixed steps of `fixed_step` (at most `max_substeps`).
/// Characters move before each fixed step.
void tp_world_step(tp_world *world, float seconds, int max_substeps, float fixed_step);

/// Writes the state of every dynamic body that is awake (moved in the last step), and of every
/// character that moved in the last tp_world_step, into `states` (room for `capacity`), and
/// returns how many there are (possibly more than capacity). A character's state is its
/// capsule's centre, interpolated like a dynamic body's between its last two fixed steps, and
/// the velocity it actually moved at.
uint32_t tp_world_read_active(const tp_world *world, tp_body_state *states, uint32_t capacity);
/// The state of one body; false when there is none with that id.
int tp_world_read_body(const tp_world *world, uint32_t id, tp_body_state *state);
uint32_t tp_world_body_count(const tp_world *world);
/// A body's mass in kg (0 for a static body), or a negative number when there is none with that id.
float tp_world_body_mass(const tp_world *world, uint32_t id);

/// Writes the contact starts and ends of the last step that involve a body with
/// TP_BODY_REPORT_CONTACTS into `contacts` (room for `capacity`); returns how many there are.
/// Each call reports the changes since the previous call.
uint32_t tp_world_read_contacts(tp_world *world, tp_contact *contacts, uint32_t capacity);

#ifdef __cplusplus
}
#endif

#endif
