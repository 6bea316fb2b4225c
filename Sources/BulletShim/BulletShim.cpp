#include "BulletShim.h"

#include <btBulletDynamicsCommon.h>
#include <BulletCollision/CollisionShapes/btHeightfieldTerrainShape.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace {

/// What a collision object is (its user index 3), and the collision groups by kind: terrain and
/// static prims meet only dynamic bodies; characters meet only dynamic bodies (never terrain,
/// prims or each other in the solver: they move themselves); dynamic bodies meet everything.
enum Kind { KIND_TERRAIN = 1, KIND_STATIC = 2, KIND_DYNAMIC = 3, KIND_CHARACTER = 4 };
enum Group : int { GROUP_TERRAIN = 1 << 6, GROUP_STATIC = 1 << 7, GROUP_DYNAMIC = 1 << 8, GROUP_CHARACTER = 1 << 9 };
constexpr int MASK_TERRAIN = GROUP_DYNAMIC;
constexpr int MASK_STATIC = GROUP_DYNAMIC;
constexpr int MASK_DYNAMIC = GROUP_TERRAIN | GROUP_STATIC | GROUP_DYNAMIC | GROUP_CHARACTER;
constexpr int MASK_CHARACTER = GROUP_DYNAMIC;

struct Body {
    /// Terrain samples, which a heightfield shape reads in place.
    std::vector<float> heights;
    std::unique_ptr<btCollisionShape> shape;
    std::unique_ptr<btDefaultMotionState> motion;
    std::unique_ptr<btRigidBody> body;
    /// Index into tp_world::characters, or -1.
    int character = -1;
};

/// A character's movement state (see TP_BODY_CHARACTER).
struct Character {
    uint32_t id = 0;
    btRigidBody *body = nullptr;
    const btConvexShape *shape = nullptr;
    float radius = 0;
    /// Half the whole height: from the capsule's centre to its feet.
    float half = 0;
    float mass = 80;
    btVector3 intent{0, 0, 0};
    bool flying = false;
    bool jump = false;
    float verticalVelocity = 0;
    bool grounded = false;
    /// Must be moved at the next step even without an intent (added, placed, the ground changed).
    bool unsettled = true;
    /// Horizontal velocity from being hit or pushed, fading while it stands.
    btVector3 push{0, 0, 0};
    /// The capsule's centre now and before the last fixed step, and the velocity it moved at.
    btVector3 position{0, 0, 0};
    btVector3 previous{0, 0, 0};
    btVector3 velocity{0, 0, 0};
    /// The tp_world_step call it last moved in.
    uint64_t movedCall = 0;
    /// Moved in the current fixed step, and moved across (scratch flags for the separation pass:
    /// only characters moving across push others apart; one only looking at its ground does not).
    bool active = false;
    bool mobile = false;
    btVector3 correction{0, 0, 0};
};

/// Heights of a heightfield, for characters' ground: Bullet's own triangles (each 1 × 1 cell split
/// along the diagonal from (x+1, y) to (x, y+1)), so a character's feet are where the terrain's
/// surface is. Beyond its edges the edge heights continue.
struct HeightGrid {
    std::vector<float> heights;
    int columns = 0, rows = 0;
    float spacing = 1;

    float at(float x, float y) const {
        float fx = std::min(std::max(x / spacing, 0.0f), float(columns - 1));
        float fy = std::min(std::max(y / spacing, 0.0f), float(rows - 1));
        int i = std::min(int(fx), columns - 2), j = std::min(int(fy), rows - 2);
        float u = fx - i, v = fy - j;
        auto h = [&](int a, int b) { return heights[static_cast<size_t>(b) * columns + a]; };
        if (u + v <= 1) return h(i, j) + u * (h(i + 1, j) - h(i, j)) + v * (h(i, j + 1) - h(i, j));
        return h(i + 1, j + 1) + (1 - u) * (h(i, j + 1) - h(i + 1, j + 1)) + (1 - v) * (h(i + 1, j) - h(i + 1, j + 1));
    }
};

/// Bullet's world, with the time it has left over since its last fixed step (for interpolating
/// characters as Bullet interpolates bodies).
struct DynamicsWorld : btDiscreteDynamicsWorld {
    using btDiscreteDynamicsWorld::btDiscreteDynamicsWorld;
    btScalar leftover() const { return m_localTime; }
};

std::unique_ptr<btCollisionShape> makeShape(const tp_body_spec &spec) {
    const float *s = spec.size;
    switch (spec.shape) {
    case TP_SHAPE_BOX:
        if (s[0] <= 0 || s[1] <= 0 || s[2] <= 0) return nullptr;
        return std::make_unique<btBoxShape>(btVector3(s[0], s[1], s[2]));
    case TP_SHAPE_SPHERE:
        if (s[0] <= 0) return nullptr;
        return std::make_unique<btSphereShape>(s[0]);
    case TP_SHAPE_CYLINDER:
        if (s[0] <= 0 || s[1] <= 0 || s[2] <= 0) return nullptr;
        return std::make_unique<btCylinderShapeZ>(btVector3(s[0], s[1], s[2]));
    case TP_SHAPE_CAPSULE:
        if (s[0] <= 0 || s[2] <= 2 * s[0]) return nullptr;
        return std::make_unique<btCapsuleShapeZ>(s[0], s[2] - 2 * s[0]);
    }
    return nullptr;
}

void writeState(uint32_t id, const btRigidBody &body, tp_body_state *state) {
    btTransform transform;
    body.getMotionState()->getWorldTransform(transform);
    const btVector3 &p = transform.getOrigin();
    const btQuaternion q = transform.getRotation();
    const btVector3 &v = body.getLinearVelocity();
    state->id = id;
    state->position[0] = p.x(); state->position[1] = p.y(); state->position[2] = p.z();
    state->rotation[0] = q.x(); state->rotation[1] = q.y(); state->rotation[2] = q.z(); state->rotation[3] = q.w();
    state->linear_velocity[0] = v.x(); state->linear_velocity[1] = v.y(); state->linear_velocity[2] = v.z();
}

}  // namespace

struct tp_world {
    // Declared in construction order; destroyed in reverse (the world before what it uses).
    btDefaultCollisionConfiguration configuration;
    btCollisionDispatcher dispatcher{&configuration};
    btDbvtBroadphase broadphase;
    btSequentialImpulseConstraintSolver solver;
    DynamicsWorld world{&dispatcher, &broadphase, &solver, &configuration};
    std::unordered_map<uint32_t, Body> bodies;
    std::vector<Character> characters;
    tp_character_settings characterSettings{3.2f, 0.35f, 784.0f};
    tp_character_counters counters{0, 0, 0, 0};
    /// The ground for characters: the highest of the planes and heightfields under a point.
    float groundPlane = -std::numeric_limits<float>::infinity();
    std::vector<HeightGrid> grids;
    float gravity = -9.8f;
    float fixedStep = 1.0f / 60;
    uint64_t stepCalls = 0;
    uint64_t fixedSteps = 0;
    /// A prim was added, removed or placed: standing characters look at their ground again.
    bool groundChanged = false;
    /// Bodies that are not characters (prims): with none, characters need no queries.
    uint32_t prims = 0;
    /// The separation pass's spatial hash (rebuilt each fixed step when a character moved).
    std::vector<int> cellHeads;
    std::vector<int> cellNext;
    std::vector<Body> statics;
    uint32_t nextID = 1;
    /// Ids of removed bodies, given out again first: ids stay dense, so callers can index by them.
    std::vector<uint32_t> freeIDs;
    /// Touching pairs (lower id << 32 | higher id) with at least one reporting body.
    std::unordered_set<uint64_t> touching;
    /// Bodies created with TP_BODY_REPORT_CONTACTS: with none, contacts are not looked at.
    uint32_t reporters = 0;
    std::vector<tp_contact> contactEvents;

    ~tp_world() {
        for (auto &entry : bodies) world.removeRigidBody(entry.second.body.get());
        for (auto &body : statics) world.removeRigidBody(body.body.get());
    }
};


namespace {

void addToWorld(tp_world *world, btRigidBody *body, Kind kind) {
    body->setUserIndex3(kind);
    switch (kind) {
    case KIND_TERRAIN: world->world.addRigidBody(body, GROUP_TERRAIN, MASK_TERRAIN); break;
    case KIND_STATIC: world->world.addRigidBody(body, GROUP_STATIC, MASK_STATIC); break;
    case KIND_DYNAMIC: world->world.addRigidBody(body, GROUP_DYNAMIC, MASK_DYNAMIC); break;
    case KIND_CHARACTER: world->world.addRigidBody(body, GROUP_CHARACTER, MASK_CHARACTER); break;
    }
}

uint32_t takeID(tp_world *world) {
    if (!world->freeIDs.empty()) {
        uint32_t id = world->freeIDs.back();
        world->freeIDs.pop_back();
        return id;
    }
    return world->nextID++;
}

Character *characterOf(tp_world *world, uint32_t id) {
    auto found = world->bodies.find(id);
    if (found == world->bodies.end() || found->second.character < 0) return nullptr;
    return &world->characters[static_cast<size_t>(found->second.character)];
}

const Character *characterOf(const tp_world *world, uint32_t id) {
    auto found = world->bodies.find(id);
    if (found == world->bodies.end() || found->second.character < 0) return nullptr;
    return &world->characters[static_cast<size_t>(found->second.character)];
}

/// The ground under a point for characters: the terrain alone (prims are found by sweeps).
float terrainHeight(const tp_world *world, float x, float y) {
    float height = world->groundPlane;
    for (const auto &grid : world->grids) height = std::max(height, grid.at(x, y));
    return height;
}

/// Puts a character's kinematic body where the character is, moving at its velocity (for the
/// solver: dynamic bodies it touches this step bounce off a moving body).
/// Awake, its bounds are refreshed by the step; `now` refreshes them at once (a placement).
void syncBody(tp_world *world, Character &c, bool now = false) {
    btTransform transform(btQuaternion::getIdentity(), c.position);
    btRigidBody &body = *c.body;
    body.setWorldTransform(transform);
    body.setInterpolationWorldTransform(transform);
    body.setLinearVelocity(c.velocity);
    body.setInterpolationLinearVelocity(c.velocity);
    body.activate(true);
    if (now) world->world.updateSingleAabb(&body);
}

/// A character's state as a body's: its centre interpolated between its last two fixed steps
/// by the time left over (as Bullet interpolates bodies' motion states), and the velocity it
/// moved at.
void writeCharacter(const tp_world *world, const Character &c, tp_body_state *state) {
    float fraction = world->fixedStep > 0 ? std::min(std::max(float(world->world.leftover()) / world->fixedStep, 0.0f), 1.0f) : 1.0f;
    btVector3 p = c.previous.lerp(c.position, fraction);
    state->id = c.id;
    state->position[0] = p.x(); state->position[1] = p.y(); state->position[2] = p.z();
    state->rotation[0] = 0; state->rotation[1] = 0; state->rotation[2] = 0; state->rotation[3] = 1;
    state->linear_velocity[0] = c.velocity.x(); state->linear_velocity[1] = c.velocity.y(); state->linear_velocity[2] = c.velocity.z();
}

uint32_t addCharacter(tp_world *world, const tp_body_spec &spec, Body body) {
    btRigidBody::btRigidBodyConstructionInfo info(0, nullptr, body.shape.get());
    info.m_friction = spec.friction;
    info.m_restitution = spec.restitution;
    btVector3 position(spec.position[0], spec.position[1], spec.position[2]);
    info.m_startWorldTransform = btTransform(btQuaternion::getIdentity(), position);
    body.body = std::make_unique<btRigidBody>(info);
    body.body->setCollisionFlags((body.body->getCollisionFlags() & ~btCollisionObject::CF_STATIC_OBJECT) | btCollisionObject::CF_KINEMATIC_OBJECT);
    addToWorld(world, body.body.get(), KIND_CHARACTER);
    uint32_t id = takeID(world);
    body.body->setUserIndex(static_cast<int>(id));
    body.body->setUserIndex2(static_cast<int>(spec.flags));
    if (spec.flags & TP_BODY_REPORT_CONTACTS) world->reporters++;
    Character c;
    c.id = id;
    c.body = body.body.get();
    c.shape = static_cast<const btConvexShape *>(body.shape.get());
    c.radius = spec.size[0];
    c.half = spec.size[2] / 2;
    c.mass = spec.mass;
    c.position = c.previous = position;
    body.character = static_cast<int>(world->characters.size());
    world->characters.push_back(c);
    world->bodies.emplace(id, std::move(body));
    return id;
}

void removeCharacter(tp_world *world, int index) {
    auto &list = world->characters;
    size_t last = list.size() - 1;
    if (static_cast<size_t>(index) != last) {
        list[static_cast<size_t>(index)] = list[last];
        world->bodies[list[static_cast<size_t>(index)].id].character = index;
    }
    list.pop_back();
}

/// The prims (static or dynamic bodies) whose bounds overlap a box: a character's sweeps this
/// step test these alone, without walking the broadphase again; past `capacity` of them, the
/// sweeps walk the broadphase.
struct PrimFinder : btBroadphaseAabbCallback {
    static constexpr int capacity = 16;
    const btCollisionObject *objects[capacity];
    int count = 0;
    bool found = false;
    bool overflow = false;
    bool process(const btBroadphaseProxy *proxy) override {
        const auto *object = static_cast<const btCollisionObject *>(proxy->m_clientObject);
        int kind = object->getUserIndex3();
        if (kind != KIND_STATIC && kind != KIND_DYNAMIC) return true;
        found = true;
        if (count < capacity) objects[count++] = object;
        else overflow = true;
        return true;
    }
};

/// The prims near the character being moved (set by `primsNear`, read by `sweep`).
thread_local PrimFinder nearPrims;

/// The nearest prim a sweep meets, ignoring what the character moves away from or along (so
/// one that starts touching or a little inside can always leave).
struct SweepCallback : btCollisionWorld::ClosestConvexResultCallback {
    const btCollisionObject *self;
    btVector3 direction;
    SweepCallback(const btVector3 &from, const btVector3 &to, const btCollisionObject *self)
        : ClosestConvexResultCallback(from, to), self(self), direction(to - from) {}
    bool needsCollision(btBroadphaseProxy *proxy) const override {
        const auto *object = static_cast<const btCollisionObject *>(proxy->m_clientObject);
        if (object == self) return false;
        int kind = object->getUserIndex3();
        return kind == KIND_STATIC || kind == KIND_DYNAMIC;
    }
    btScalar addSingleResult(btCollisionWorld::LocalConvexResult &result, bool normalInWorldSpace) override {
        btVector3 normal = normalInWorldSpace ? result.m_hitNormalLocal
                                              : result.m_hitCollisionObject->getWorldTransform().getBasis() * result.m_hitNormalLocal;
        if (normal.dot(direction) >= 0) return 1;
        return ClosestConvexResultCallback::addSingleResult(result, normalInWorldSpace);
    }
};

/// Keeps this far from what a sweep meets, so the next sweep does not start touching it.
constexpr float skin = 0.01f;

struct Sweep {
    float fraction = 1;
    btVector3 normal{0, 0, 0};
    const btCollisionObject *hit = nullptr;
};

void sweepInto(const tp_world *world, const Character &c, const btVector3 &from, const btVector3 &to, SweepCallback &callback) {
    btTransform start(btQuaternion::getIdentity(), from), end(btQuaternion::getIdentity(), to);
    if (nearPrims.overflow) {
        world->world.convexSweepTest(c.shape, start, end, callback);
        return;
    }
    // Only the prims whose bounds the swept capsule's box meets.
    btVector3 reach(c.radius + skin, c.radius + skin, c.half + skin);
    btVector3 low = from, high = from;
    low.setMin(to);
    high.setMax(to);
    low -= reach;
    high += reach;
    for (int index = 0; index < nearPrims.count; index++) {
        const btCollisionObject *object = nearPrims.objects[index];
        const btBroadphaseProxy *proxy = object->getBroadphaseHandle();
        if (!TestAabbAgainstAabb2(low, high, proxy->m_aabbMin, proxy->m_aabbMax)) continue;
        btCollisionWorld::objectQuerySingle(
            c.shape, start, end, const_cast<btCollisionObject *>(object), object->getCollisionShape(), object->getWorldTransform(), callback, 0);
    }
}

Sweep sweep(const tp_world *world, const Character &c, const btVector3 &from, const btVector3 &to) {
    Sweep result;
    if ((to - from).length2() < 1e-12f) return result;
    SweepCallback callback(from, to, c.body);
    sweepInto(world, c, from, to, callback);
    if (callback.hasHit()) {
        result.fraction = callback.m_closestHitFraction;
        result.normal = callback.m_hitNormalWorld;
        result.hit = callback.m_hitCollisionObject;
    }
    return result;
}

/// Where a sweep from `from` along `delta` that met something at `fraction` (surface normal
/// `normal`) stops: at the contact, moved the skin's width off the surface.
btVector3 advance(const btVector3 &from, const btVector3 &delta, float fraction, const btVector3 &normal) {
    if (fraction >= 1) return from + delta;
    return from + delta * fraction + normal * skin;
}

/// A character walking into a dynamic body pushes it along: up to the character's own speed
/// that way, with at most the push force over the step.
void pushBody(tp_world *world, const btCollisionObject *object, const btVector3 &normal, const btVector3 &velocity, float dt) {
    if (object->getUserIndex3() != KIND_DYNAMIC) return;
    auto *body = const_cast<btRigidBody *>(btRigidBody::upcast(object));
    if (!body || body->getInvMass() <= 0) return;
    btVector3 along(-normal.x(), -normal.y(), 0);
    if (along.length2() < 1e-8f) return;
    along.normalize();
    float closing = velocity.dot(along) - body->getLinearVelocity().dot(along);
    if (closing <= 0) return;
    float impulse = std::min(closing / body->getInvMass(), world->characterSettings.push_force * dt);
    body->activate(true);
    body->applyCentralImpulse(along * impulse);
}

/// Slides a capsule from `from` by a horizontal displacement: swept against prims, along what
/// stops it (up to four times). Pushes what it meets when `push`. Returns where it ends, and
/// sets `blocked` when something took away part of the move.
btVector3 slide(tp_world *world, const Character &c, btVector3 from, btVector3 delta, float dt, bool push, bool &blocked) {
    blocked = false;
    btVector3 velocity = delta / dt;
    for (int iteration = 0; iteration < 4 && delta.length2() > 1e-10f; iteration++) {
        Sweep hit = sweep(world, c, from, from + delta);
        if (!hit.hit) return from + delta;
        blocked = true;
        btVector3 to = advance(from, delta, hit.fraction, hit.normal);
        // Less than half a millimetre: not worth a move (and no jitter against a wall).
        if ((to - from).length2() > 0.25e-6f) from = to;
        if (push) pushBody(world, hit.hit, hit.normal, velocity, dt);
        btVector3 wall(hit.normal.x(), hit.normal.y(), 0);
        if (wall.length2() < 1e-6f) break;
        wall.normalize();
        delta *= (1 - hit.fraction);
        delta -= wall * delta.dot(wall);
        delta.setZ(0);
    }
    return from;
}

/// Moves a character by a horizontal displacement: over the terrain alone when no prim is near;
/// else swept, sliding along what stops it and pushing what is dynamic. A standing character
/// stopped by something tries again a step height up, and keeps that move when it gets further
/// and comes down on something no higher than a step above its feet (a kerb, a stair).
void moveAcross(tp_world *world, Character &c, btVector3 delta, float dt, bool primsNear) {
    if (delta.length2() < 1e-12f) return;
    if (!primsNear) {
        c.position += delta;
        return;
    }
    bool blocked = false;
    const btVector3 start = c.position;
    btVector3 flat = slide(world, c, start, delta, dt, true, blocked);
    c.position = flat;
    if (!blocked || !c.grounded || c.flying) return;
    const float step = world->characterSettings.step_height;
    btVector3 up(0, 0, step);
    Sweep rise = sweep(world, c, start, start + up);
    btVector3 top = advance(start, up, rise.fraction, rise.normal);
    bool ignored = false;
    btVector3 across = slide(world, c, top, delta, dt, false, ignored);
    btVector3 gainedFlat = flat - start, gainedUp = across - top;
    gainedFlat.setZ(0);
    gainedUp.setZ(0);
    if (gainedUp.length2() <= gainedFlat.length2() + 1e-8f) return;
    btVector3 down(0, 0, -(top.z() - start.z()) - step);
    SweepCallback callback(across, across + down, c.body);
    sweepInto(world, c, across, across + down, callback);
    const float foot = start.z() - c.half;
    if (!callback.hasHit() || callback.m_hitNormalWorld.z() <= 0.3f || callback.m_hitPointWorld.z() > foot + step + 1e-4f) return;
    btVector3 landed = advance(across, down, callback.m_closestHitFraction, callback.m_hitNormalWorld);
    if (landed.z() - c.half < foot - 1e-4f) return;
    c.position = landed;
}

/// Moves a character up or down by `dz`, onto the highest of the terrain and any prim under
/// it; a standing character keeps to ground up to a step below.
void moveVertically(tp_world *world, Character &c, float dz, bool primsNear) {
    const float step = world->characterSettings.step_height;
    const bool walking = !c.flying && c.grounded && c.verticalVelocity <= 0;
    float foot = c.position.z() - c.half;
    float target = foot + dz;
    float ground = terrainHeight(world, c.position.x(), c.position.y());
    float reach = walking ? step : 0;
    if (primsNear) {
        if (dz > 0) {
            // Up into whatever is above (jumping or flying into a ceiling).
            btVector3 up(0, 0, dz);
            Sweep rise = sweep(world, c, c.position, c.position + up);
            if (rise.hit) {
                target = advance(c.position, up, rise.fraction, rise.normal).z() - c.half;
                if (!c.flying) c.verticalVelocity = 0;
            }
        }
        float low = std::min(target, foot) - reach;
        float from = std::max(target, foot);
        if (from > low) {
            btVector3 start(c.position.x(), c.position.y(), from + c.half);
            btVector3 down(0, 0, low - from);
            Sweep fall = sweep(world, c, start, start + down);
            if (fall.hit && fall.normal.z() > 0.3f) ground = std::max(ground, advance(start, down, fall.fraction, fall.normal).z() - c.half);
        }
    }
    if (c.flying) {
        c.grounded = false;
        c.position.setZ(std::max(target, ground) + c.half);
        return;
    }
    if (target <= ground || (walking && target - ground <= reach)) {
        c.position.setZ(ground + c.half);
        c.grounded = true;
        c.verticalVelocity = 0;
    } else {
        c.position.setZ(target + c.half);
        c.grounded = false;
    }
}

/// Whether any prim is within a box around a character's move this step.
bool primsNear(const tp_world *world, const Character &c, const btVector3 &delta, float dz) {
    nearPrims.count = 0;
    nearPrims.found = nearPrims.overflow = false;
    if (world->prims == 0) return false;
    const float step = world->characterSettings.step_height;
    btVector3 low(
        std::min(0.0f, delta.x()) - c.radius - skin, std::min(0.0f, delta.y()) - c.radius - skin,
        std::min(0.0f, dz) - c.half - step - skin);
    btVector3 high(
        std::max(0.0f, delta.x()) + c.radius + skin, std::max(0.0f, delta.y()) + c.radius + skin,
        std::max(0.0f, dz) + c.half + step + skin);
    nearPrims = PrimFinder();
    const_cast<tp_world *>(world)->broadphase.aabbTest(c.position + low, c.position + high, nearPrims);
    return nearPrims.found;
}

/// One character's fixed step; true when it was moved (not idle).
bool stepCharacter(tp_world *world, Character &c, float dt) {
    btVector3 horizontal(c.intent.x() + c.push.x(), c.intent.y() + c.push.y(), 0);
    bool moving = horizontal.length2() > 0 || c.flying || !c.grounded || c.jump || c.unsettled;
    if (!moving) return false;
    c.unsettled = false;
    if (c.flying) {
        c.verticalVelocity = c.intent.z();
    } else if (c.jump && c.grounded && c.verticalVelocity <= 0.1f) {
        c.verticalVelocity = world->characterSettings.jump_speed;
        c.grounded = false;
    } else if (!c.grounded) {
        c.verticalVelocity += world->gravity * dt;
    }
    btVector3 delta = horizontal * dt;
    float dz = c.verticalVelocity * dt;
    bool near = primsNear(world, c, delta, dz);
    world->counters.moved++;
    if (near) world->counters.swept++;
    c.mobile = horizontal.length2() > 0;
    moveAcross(world, c, delta, dt, near);
    moveVertically(world, c, dz, near);
    if (c.push.length2() > 0 && c.grounded) {
        // Ground friction takes a push away at 8 m/s².
        float speed = c.push.length();
        float slowed = std::max(0.0f, speed - 8 * dt);
        c.push = slowed < 0.01f ? btVector3(0, 0, 0) : c.push * (slowed / speed);
    }
    return true;
}

/// Pushes apart characters whose capsules overlap, after they moved: a moving one against a
/// still one takes the whole correction (still characters cost nothing and are not shoved), two
/// moving ones take half each. The correction is a move like any other (walls stop it).
void separate(tp_world *world, float dt) {
    auto &list = world->characters;
    const size_t count = list.size();
    size_t buckets = 16;
    while (buckets < count * 2) buckets <<= 1;
    float cell = 1;
    for (const auto &c : list) cell = std::max(cell, 2 * c.radius);
    auto key = [&](float x, float y) {
        int64_t cx = static_cast<int64_t>(std::floor(x / cell)), cy = static_cast<int64_t>(std::floor(y / cell));
        uint64_t h = static_cast<uint64_t>(cx) * 0x9E3779B97F4A7C15ull ^ static_cast<uint64_t>(cy) * 0xC2B2AE3D27D4EB4Full;
        return static_cast<size_t>((h ^ (h >> 29)) & (buckets - 1));
    };
    world->cellHeads.assign(buckets, -1);
    world->cellNext.resize(count);
    for (size_t index = 0; index < count; index++) {
        const auto &p = list[index].position;
        if (!std::isfinite(p.x()) || !std::isfinite(p.y())) { world->cellNext[index] = -1; continue; }
        size_t bucket = key(p.x(), p.y());
        world->cellNext[index] = world->cellHeads[bucket];
        world->cellHeads[bucket] = static_cast<int>(index);
    }
    bool any = false;
    for (size_t index = 0; index < count; index++) {
        Character &a = list[index];
        if (!a.mobile) continue;
        const btVector3 &p = a.position;
        if (!std::isfinite(p.x()) || !std::isfinite(p.y())) continue;
        int64_t cx = static_cast<int64_t>(std::floor(p.x() / cell)), cy = static_cast<int64_t>(std::floor(p.y() / cell));
        size_t seen[9];
        int seenCount = 0;
        for (int64_t dx = -1; dx <= 1; dx++) {
            for (int64_t dy = -1; dy <= 1; dy++) {
                size_t bucket = key(float(cx + dx) * cell + cell / 2, float(cy + dy) * cell + cell / 2);
                // Several cells may share a bucket: walk each bucket once.
                if (std::find(seen, seen + seenCount, bucket) != seen + seenCount) continue;
                seen[seenCount++] = bucket;
                for (int other = world->cellHeads[bucket]; other >= 0; other = world->cellNext[static_cast<size_t>(other)]) {
                    if (static_cast<size_t>(other) == index) continue;
                    Character &b = list[static_cast<size_t>(other)];
                    if (b.mobile && static_cast<size_t>(other) < index) continue;  // the pair was handled from b
                    if (std::fabs(a.position.z() - b.position.z()) >= a.half + b.half) continue;
                    float x = a.position.x() - b.position.x(), y = a.position.y() - b.position.y();
                    float reach = a.radius + b.radius;
                    float distance2 = x * x + y * y;
                    if (distance2 >= reach * reach) continue;
                    float distance = std::sqrt(distance2);
                    btVector3 away;
                    if (distance > 1e-4f) {
                        away = btVector3(x / distance, y / distance, 0);
                    } else {
                        // On top of each other: apart along a direction fixed by their ids.
                        float angle = float((a.id * 2654435761u) ^ b.id) * 1e-3f;
                        away = btVector3(std::cos(angle), std::sin(angle), 0);
                    }
                    float overlap = reach - distance;
                    if (b.mobile) {
                        a.correction += away * (overlap / 2);
                        b.correction -= away * (overlap / 2);
                    } else {
                        a.correction += away * overlap;
                    }
                    world->counters.separated++;
                    any = true;
                }
            }
        }
    }
    if (!any) return;
    for (auto &c : list) {
        if (!c.mobile || c.correction.length2() == 0) continue;
        btVector3 delta = c.correction;
        c.correction = btVector3(0, 0, 0);
        bool near = primsNear(world, c, delta, 0);
        moveAcross(world, c, delta, dt, near);
        float keep = c.verticalVelocity;
        moveVertically(world, c, 0, near);
        if (!c.grounded) c.verticalVelocity = keep;
    }
}

void preTick(btDynamicsWorld *dynamics, btScalar step) {
    auto *world = static_cast<tp_world *>(dynamics->getWorldUserInfo());
    world->fixedSteps++;
    world->counters.steps++;
    if (world->characters.empty()) return;
    const bool groundChanged = world->groundChanged;
    world->groundChanged = false;
    bool anyMoved = false;
    for (auto &c : world->characters) {
        // A standing character looks at its ground again when a prim changed, and every 16
        // steps in any case (a dynamic body under it may have moved away).
        if (groundChanged || (world->fixedSteps + c.id) % 16 == 0) c.unsettled = true;
        c.previous = c.position;
        c.mobile = false;
        c.active = stepCharacter(world, c, step);
        anyMoved = anyMoved || c.active;
    }
    if (anyMoved) separate(world, step);
    for (auto &c : world->characters) {
        if (!c.active) {
            if (c.velocity.length2() > 0) {
                c.velocity = btVector3(0, 0, 0);
                syncBody(world, c);
            }
            continue;
        }
        btVector3 moved = c.position - c.previous;
        c.velocity = moved / step;
        if (moved.length2() > 1e-12f) c.movedCall = world->stepCalls;
        syncBody(world, c);
    }
}

/// After a fixed step: dynamic bodies that hit a character push it (the solver treated it as
/// immovable; the impulse it gave becomes the character's push velocity).
void postTick(btDynamicsWorld *dynamics, btScalar) {
    auto *world = static_cast<tp_world *>(dynamics->getWorldUserInfo());
    if (world->characters.empty()) return;
    btDispatcher *dispatcher = world->world.getDispatcher();
    for (int index = 0; index < dispatcher->getNumManifolds(); index++) {
        btPersistentManifold *manifold = dispatcher->getManifoldByIndexInternal(index);
        const btCollisionObject *a = manifold->getBody0();
        const btCollisionObject *b = manifold->getBody1();
        bool aIs = a->getUserIndex3() == KIND_CHARACTER, bIs = b->getUserIndex3() == KIND_CHARACTER;
        if (aIs == bIs) continue;
        btVector3 impulse(0, 0, 0);
        for (int point = 0; point < manifold->getNumContacts(); point++) {
            const btManifoldPoint &contact = manifold->getContactPoint(point);
            // The normal on B points towards A: the impulse pushes A along it.
            impulse += contact.m_normalWorldOnB * contact.getAppliedImpulse();
        }
        if (bIs) impulse = -impulse;
        impulse.setZ(0);
        if (impulse.length2() < 1e-8f) continue;
        Character *c = characterOf(world, static_cast<uint32_t>((aIs ? a : b)->getUserIndex()));
        if (!c) continue;
        c->push += impulse / c->mass;
        float speed = c->push.length();
        if (speed > 20) c->push *= 20 / speed;
    }
}

}  // namespace

extern "C" {

tp_world *tp_world_create(float gravity_z) {
    auto *world = new tp_world();
    world->world.setGravity(btVector3(0, 0, gravity_z));
    world->gravity = gravity_z;
    // Only bodies that are awake (or placed, which updates theirs at once) need their bounds
    // refreshed each step: resting and static bodies, and standing characters, cost nothing.
    world->world.setForceUpdateAllAabbs(false);
    world->world.setInternalTickCallback(preTick, world, true);
    world->world.setInternalTickCallback(postTick, world, false);
    return world;
}

void tp_world_destroy(tp_world *world) { delete world; }

void tp_world_add_ground(tp_world *world, float z, float friction, float restitution) {
    Body ground;
    ground.shape = std::make_unique<btStaticPlaneShape>(btVector3(0, 0, 1), z);
    ground.motion = std::make_unique<btDefaultMotionState>(btTransform::getIdentity());
    btRigidBody::btRigidBodyConstructionInfo info(0, ground.motion.get(), ground.shape.get());
    info.m_friction = friction;
    info.m_restitution = restitution;
    ground.body = std::make_unique<btRigidBody>(info);
    ground.body->setUserIndex(0);
    ground.body->setUserIndex2(0);  // Bullet starts it at -1: every flag set
    addToWorld(world, ground.body.get(), KIND_TERRAIN);
    world->statics.push_back(std::move(ground));
    world->groundPlane = std::max(world->groundPlane, z);
}

int tp_world_add_heightfield(tp_world *world, const float *heights, int32_t columns, int32_t rows, float spacing, float friction) {
    if (!heights || columns < 2 || rows < 2 || spacing <= 0) return 0;
    Body terrain;
    terrain.heights.assign(heights, heights + static_cast<size_t>(columns) * static_cast<size_t>(rows));
    auto [low, high] = std::minmax_element(terrain.heights.begin(), terrain.heights.end());
    float minimum = *low, maximum = *high;
    if (maximum - minimum < 0.01f) maximum = minimum + 0.01f;
    auto shape = std::make_unique<btHeightfieldTerrainShape>(
        columns, rows, terrain.heights.data(), 1.0f, minimum, maximum, 2, PHY_FLOAT, false);
    shape->setLocalScaling(btVector3(spacing, spacing, 1));
    // Bullet centres a heightfield on its bounding box: shift it so sample (0, 0) is at the origin.
    btVector3 centre((columns - 1) * spacing / 2, (rows - 1) * spacing / 2, (minimum + maximum) / 2);
    terrain.shape = std::move(shape);
    terrain.motion = std::make_unique<btDefaultMotionState>(btTransform(btQuaternion::getIdentity(), centre));
    btRigidBody::btRigidBodyConstructionInfo info(0, terrain.motion.get(), terrain.shape.get());
    info.m_friction = friction;
    terrain.body = std::make_unique<btRigidBody>(info);
    terrain.body->setUserIndex(0);
    terrain.body->setUserIndex2(0);
    addToWorld(world, terrain.body.get(), KIND_TERRAIN);
    HeightGrid grid;
    grid.heights = terrain.heights;
    grid.columns = columns;
    grid.rows = rows;
    grid.spacing = spacing;
    world->grids.push_back(std::move(grid));
    world->statics.push_back(std::move(terrain));
    return 1;
}

uint32_t tp_world_add_body(tp_world *world, const tp_body_spec *spec) {
    if (!spec || spec->mass < 0) return 0;
    const bool character = spec->flags & TP_BODY_CHARACTER;
    if (character && (spec->shape != TP_SHAPE_CAPSULE || spec->mass <= 0)) return 0;
    Body body;
    body.shape = makeShape(*spec);
    if (!body.shape) return 0;
    btQuaternion rotation(spec->rotation[0], spec->rotation[1], spec->rotation[2], spec->rotation[3]);
    if (rotation.length2() < 1e-12f) rotation = btQuaternion::getIdentity();
    rotation.normalize();
    btTransform start(rotation, btVector3(spec->position[0], spec->position[1], spec->position[2]));
    if (character) return addCharacter(world, *spec, std::move(body));
    body.motion = std::make_unique<btDefaultMotionState>(start);
    btVector3 inertia(0, 0, 0);
    if (spec->mass > 0) body.shape->calculateLocalInertia(spec->mass, inertia);
    btRigidBody::btRigidBodyConstructionInfo info(spec->mass, body.motion.get(), body.shape.get(), inertia);
    info.m_friction = spec->friction;
    info.m_restitution = spec->restitution;
    body.body = std::make_unique<btRigidBody>(info);
    if (spec->mass > 0) {
        // Continuous collision detection, so a small fast body cannot pass through the thin
        // terrain or a wall between two steps.
        btVector3 low, high;
        body.shape->getAabb(btTransform::getIdentity(), low, high);
        btVector3 extent = high - low;
        float smallest = std::min(extent.x(), std::min(extent.y(), extent.z()));
        body.body->setCcdMotionThreshold(smallest * 0.5f);
        body.body->setCcdSweptSphereRadius(smallest * 0.4f);
    }
    if (spec->flags & TP_BODY_UPRIGHT) {
        body.body->setAngularFactor(btVector3(0, 0, 0));
        body.body->setActivationState(DISABLE_DEACTIVATION);
    }
    addToWorld(world, body.body.get(), spec->mass > 0 ? KIND_DYNAMIC : KIND_STATIC);
    if (spec->mass == 0) world->groundChanged = true;
    world->prims++;
    uint32_t id = takeID(world);
    body.body->setUserIndex(static_cast<int>(id));
    body.body->setUserIndex2(static_cast<int>(spec->flags));
    if (spec->flags & TP_BODY_REPORT_CONTACTS) world->reporters++;
    world->bodies.emplace(id, std::move(body));
    return id;
}

int tp_world_remove_body(tp_world *world, uint32_t id) {
    auto found = world->bodies.find(id);
    if (found == world->bodies.end()) return 0;
    if (found->second.body->getUserIndex2() & TP_BODY_REPORT_CONTACTS) world->reporters--;
    int kind = found->second.body->getUserIndex3();
    if (kind == KIND_STATIC || kind == KIND_DYNAMIC) {
        world->groundChanged = true;
        world->prims--;
    }
    world->world.removeRigidBody(found->second.body.get());
    int character = found->second.character;
    world->bodies.erase(found);
    if (character >= 0) removeCharacter(world, character);
    // A removed body's contacts end silently: whoever removed it knows it is gone.
    for (auto pair = world->touching.begin(); pair != world->touching.end();) {
        if (static_cast<uint32_t>(*pair >> 32) == id || static_cast<uint32_t>(*pair) == id) pair = world->touching.erase(pair);
        else ++pair;
    }
    auto &events = world->contactEvents;
    events.erase(std::remove_if(events.begin(), events.end(), [id](const tp_contact &c) { return c.body == id || c.other == id; }), events.end());
    world->freeIDs.push_back(id);
    return 1;
}

void tp_world_apply_impulse(tp_world *world, uint32_t id, const float impulse[3]) {
    if (Character *c = characterOf(world, id)) {
        c->push += btVector3(impulse[0], impulse[1], 0) / c->mass;
        c->verticalVelocity += impulse[2] / c->mass;
        if (c->verticalVelocity > 0) c->grounded = false;
        c->unsettled = true;
        return;
    }
    auto found = world->bodies.find(id);
    if (found == world->bodies.end()) return;
    found->second.body->activate(true);
    found->second.body->applyCentralImpulse(btVector3(impulse[0], impulse[1], impulse[2]));
}

void tp_world_set_velocity(tp_world *world, uint32_t id, const float velocity[3]) {
    if (Character *c = characterOf(world, id)) {
        // Its intent gives the horizontal velocity; the vertical one is kept (a fall, a jump).
        c->verticalVelocity = velocity[2];
        if (c->verticalVelocity > 0) c->grounded = false;
        c->unsettled = true;
        return;
    }
    auto found = world->bodies.find(id);
    if (found == world->bodies.end()) return;
    found->second.body->activate(true);
    found->second.body->setLinearVelocity(btVector3(velocity[0], velocity[1], velocity[2]));
}

void tp_world_set_body_gravity(tp_world *world, uint32_t id, float gravity_z) {
    auto found = world->bodies.find(id);
    // A character's gravity follows its intent (TP_INTENT_FLYING).
    if (found == world->bodies.end() || found->second.character >= 0) return;
    found->second.body->setGravity(btVector3(0, 0, gravity_z));
}

void tp_world_set_transform(tp_world *world, uint32_t id, const float position[3], const float rotation[4], const float velocity[3]) {
    auto found = world->bodies.find(id);
    if (found == world->bodies.end()) return;
    if (found->second.character >= 0) {
        Character &c = world->characters[static_cast<size_t>(found->second.character)];
        c.position = c.previous = btVector3(position[0], position[1], position[2]);
        c.velocity = btVector3(0, 0, 0);
        c.verticalVelocity = velocity[2];
        c.push = btVector3(0, 0, 0);
        c.grounded = false;
        c.unsettled = true;
        syncBody(world, c, true);
        return;
    }
    int kind = found->second.body->getUserIndex3();
    if (kind == KIND_STATIC || kind == KIND_DYNAMIC) world->groundChanged = true;
    btQuaternion q(rotation[0], rotation[1], rotation[2], rotation[3]);
    if (q.length2() < 1e-12f) q = btQuaternion::getIdentity();
    q.normalize();
    btTransform transform(q, btVector3(position[0], position[1], position[2]));
    btRigidBody &body = *found->second.body;
    btVector3 linear(velocity[0], velocity[1], velocity[2]);
    body.setWorldTransform(transform);
    body.getMotionState()->setWorldTransform(transform);
    // Also where a step without a fixed substep interpolates from, or the body is reported
    // back at its old place.
    body.setInterpolationWorldTransform(transform);
    body.setLinearVelocity(linear);
    body.setAngularVelocity(btVector3(0, 0, 0));
    body.setInterpolationLinearVelocity(linear);
    body.setInterpolationAngularVelocity(btVector3(0, 0, 0));
    body.activate(true);
    world->world.updateSingleAabb(&body);
}

namespace {
/// The nearest hit below a body, skipping the body itself.
struct BelowCallback : btCollisionWorld::ClosestRayResultCallback {
    const btCollisionObject *self;
    BelowCallback(const btVector3 &from, const btVector3 &to, const btCollisionObject *self)
        : ClosestRayResultCallback(from, to), self(self) {}
    bool needsCollision(btBroadphaseProxy *proxy) const override {
        // Any solid but the body itself (collision groups say what collides, not what is below).
        return static_cast<const btCollisionObject *>(proxy->m_clientObject) != self;
    }
};

void collectContacts(tp_world *world) {
    // Walking every manifold costs about half a millisecond with thousands of resting bodies.
    if (world->reporters == 0 && world->touching.empty()) return;
    std::unordered_set<uint64_t> now;
    btDispatcher *dispatcher = world->world.getDispatcher();
    for (int index = 0; index < dispatcher->getNumManifolds(); index++) {
        btPersistentManifold *manifold = dispatcher->getManifoldByIndexInternal(index);
        const btCollisionObject *a = manifold->getBody0();
        const btCollisionObject *b = manifold->getBody1();
        if (!((a->getUserIndex2() | b->getUserIndex2()) & TP_BODY_REPORT_CONTACTS)) continue;
        bool touching = false;
        for (int point = 0; point < manifold->getNumContacts(); point++) {
            if (manifold->getContactPoint(point).getDistance() < 0.01f) { touching = true; break; }
        }
        if (!touching) continue;
        uint32_t x = static_cast<uint32_t>(std::max(a->getUserIndex(), 0));
        uint32_t y = static_cast<uint32_t>(std::max(b->getUserIndex(), 0));
        if (x > y) std::swap(x, y);
        now.insert(static_cast<uint64_t>(x) << 32 | y);
    }
    auto reports = [world](uint32_t id) {
        if (id == 0) return false;
        auto found = world->bodies.find(id);
        return found != world->bodies.end() && (found->second.body->getUserIndex2() & TP_BODY_REPORT_CONTACTS);
    };
    auto emit = [&](uint64_t pair, int started) {
        uint32_t x = static_cast<uint32_t>(pair >> 32), y = static_cast<uint32_t>(pair);
        if (reports(x)) world->contactEvents.push_back(tp_contact{x, y, started});
        if (reports(y)) world->contactEvents.push_back(tp_contact{y, x, started});
    };
    for (uint64_t pair : now) if (!world->touching.count(pair)) emit(pair, 1);
    for (uint64_t pair : world->touching) if (!now.count(pair)) emit(pair, 0);
    world->touching = std::move(now);
}
}  // namespace

float tp_world_distance_below(const tp_world *world, uint32_t id, float reach) {
    auto found = world->bodies.find(id);
    if (found == world->bodies.end()) return -1;
    const btRigidBody &body = *found->second.body;
    btVector3 from = body.getWorldTransform().getOrigin();
    btVector3 to = from - btVector3(0, 0, reach);
    BelowCallback callback(from, to, &body);
    world->world.rayTest(from, to, callback);
    if (!callback.hasHit()) return -1;
    return callback.m_closestHitFraction * reach;
}

void tp_world_step(tp_world *world, float seconds, int max_substeps, float fixed_step) {
    world->stepCalls++;
    world->fixedStep = fixed_step;
    world->world.stepSimulation(seconds, max_substeps, fixed_step);
    collectContacts(world);
}

void tp_world_set_character_settings(tp_world *world, const tp_character_settings *settings) {
    if (!settings) return;
    world->characterSettings = *settings;
}

void tp_world_set_intent(tp_world *world, uint32_t id, const float velocity[3], uint32_t flags) {
    Character *c = characterOf(world, id);
    if (!c) return;
    c->intent = btVector3(velocity[0], velocity[1], velocity[2]);
    c->flying = flags & TP_INTENT_FLYING;
    c->jump = flags & TP_INTENT_JUMP;
    c->unsettled = true;
}

int tp_world_character_standing(const tp_world *world, uint32_t id) {
    const Character *c = characterOf(world, id);
    return c ? (c->grounded ? 1 : 0) : -1;
}

void tp_world_read_character_counters(const tp_world *world, tp_character_counters *counters) {
    if (counters) *counters = world->counters;
}

uint32_t tp_world_read_contacts(tp_world *world, tp_contact *contacts, uint32_t capacity) {
    uint32_t count = static_cast<uint32_t>(world->contactEvents.size());
    if (count <= capacity && count > 0) {
        std::copy(world->contactEvents.begin(), world->contactEvents.end(), contacts);
        world->contactEvents.clear();
    }
    return count;
}

uint32_t tp_world_read_active(const tp_world *world, tp_body_state *states, uint32_t capacity) {
    uint32_t count = 0;
    for (const auto &c : world->characters) {
        if (c.movedCall != world->stepCalls || world->stepCalls == 0) continue;
        if (count < capacity) writeCharacter(world, c, &states[count]);
        count++;
    }
    for (const auto &entry : world->bodies) {
        const btRigidBody &body = *entry.second.body;
        if (entry.second.character >= 0 || body.isStaticObject() || !body.isActive()) continue;
        if (count < capacity) writeState(entry.first, body, &states[count]);
        count++;
    }
    return count;
}

int tp_world_read_body(const tp_world *world, uint32_t id, tp_body_state *state) {
    auto found = world->bodies.find(id);
    if (found == world->bodies.end()) return 0;
    if (found->second.character >= 0) {
        writeCharacter(world, world->characters[static_cast<size_t>(found->second.character)], state);
        return 1;
    }
    writeState(id, *found->second.body, state);
    return 1;
}

uint32_t tp_world_body_count(const tp_world *world) { return static_cast<uint32_t>(world->bodies.size()); }

float tp_world_body_mass(const tp_world *world, uint32_t id) {
    auto found = world->bodies.find(id);
    if (found == world->bodies.end()) return -1;
    if (found->second.character >= 0) return world->characters[static_cast<size_t>(found->second.character)].mass;
    float inverse = found->second.body->getInvMass();
    return inverse > 0 ? 1.0f / inverse : 0.0f;
}

}  // extern "C"
