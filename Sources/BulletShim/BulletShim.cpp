#include "BulletShim.h"

#include <btBulletDynamicsCommon.h>
#include <BulletCollision/CollisionShapes/btHeightfieldTerrainShape.h>

#include <algorithm>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace {

struct Body {
    /// Terrain samples, which a heightfield shape reads in place.
    std::vector<float> heights;
    std::unique_ptr<btCollisionShape> shape;
    std::unique_ptr<btDefaultMotionState> motion;
    std::unique_ptr<btRigidBody> body;
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
    btDiscreteDynamicsWorld world{&dispatcher, &broadphase, &solver, &configuration};
    std::unordered_map<uint32_t, Body> bodies;
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

extern "C" {

tp_world *tp_world_create(float gravity_z) {
    auto *world = new tp_world();
    world->world.setGravity(btVector3(0, 0, gravity_z));
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
    world->world.addRigidBody(ground.body.get());
    world->statics.push_back(std::move(ground));
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
    world->world.addRigidBody(terrain.body.get());
    world->statics.push_back(std::move(terrain));
    return 1;
}

uint32_t tp_world_add_body(tp_world *world, const tp_body_spec *spec) {
    if (!spec || spec->mass < 0) return 0;
    Body body;
    body.shape = makeShape(*spec);
    if (!body.shape) return 0;
    btQuaternion rotation(spec->rotation[0], spec->rotation[1], spec->rotation[2], spec->rotation[3]);
    if (rotation.length2() < 1e-12f) rotation = btQuaternion::getIdentity();
    rotation.normalize();
    btTransform start(rotation, btVector3(spec->position[0], spec->position[1], spec->position[2]));
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
    world->world.addRigidBody(body.body.get());
    uint32_t id;
    if (!world->freeIDs.empty()) {
        id = world->freeIDs.back();
        world->freeIDs.pop_back();
    } else {
        id = world->nextID++;
    }
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
    world->world.removeRigidBody(found->second.body.get());
    world->bodies.erase(found);
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
    auto found = world->bodies.find(id);
    if (found == world->bodies.end()) return;
    found->second.body->activate(true);
    found->second.body->applyCentralImpulse(btVector3(impulse[0], impulse[1], impulse[2]));
}

void tp_world_set_velocity(tp_world *world, uint32_t id, const float velocity[3]) {
    auto found = world->bodies.find(id);
    if (found == world->bodies.end()) return;
    found->second.body->activate(true);
    found->second.body->setLinearVelocity(btVector3(velocity[0], velocity[1], velocity[2]));
}

void tp_world_set_body_gravity(tp_world *world, uint32_t id, float gravity_z) {
    auto found = world->bodies.find(id);
    if (found == world->bodies.end()) return;
    found->second.body->setGravity(btVector3(0, 0, gravity_z));
}

void tp_world_set_transform(tp_world *world, uint32_t id, const float position[3], const float rotation[4], const float velocity[3]) {
    auto found = world->bodies.find(id);
    if (found == world->bodies.end()) return;
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
        if (static_cast<const btCollisionObject *>(proxy->m_clientObject) == self) return false;
        return ClosestRayResultCallback::needsCollision(proxy);
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
    world->world.stepSimulation(seconds, max_substeps, fixed_step);
    collectContacts(world);
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
    for (const auto &entry : world->bodies) {
        const btRigidBody &body = *entry.second.body;
        if (body.isStaticObject() || !body.isActive()) continue;
        if (count < capacity) writeState(entry.first, body, &states[count]);
        count++;
    }
    return count;
}

int tp_world_read_body(const tp_world *world, uint32_t id, tp_body_state *state) {
    auto found = world->bodies.find(id);
    if (found == world->bodies.end()) return 0;
    writeState(id, *found->second.body, state);
    return 1;
}

uint32_t tp_world_body_count(const tp_world *world) { return static_cast<uint32_t>(world->bodies.size()); }

float tp_world_body_mass(const tp_world *world, uint32_t id) {
    auto found = world->bodies.find(id);
    if (found == world->bodies.end()) return -1;
    float inverse = found->second.body->getInvMass();
    return inverse > 0 ? 1.0f / inverse : 0.0f;
}

}  // extern "C"
