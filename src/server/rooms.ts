// Room membership: which connections are in which named room, for `server.to(room).send()`.

/** A map from room name to its members; empty rooms are forgotten. */
export class Rooms<Member> {
  private readonly _members = new Map<string, Set<Member>>();

  join(room: string, member: Member): void {
    let set = this._members.get(room);
    if (!set) this._members.set(room, (set = new Set()));
    set.add(member);
  }

  leave(room: string, member: Member): void {
    const set = this._members.get(room);
    if (set?.delete(member) && set.size === 0) this._members.delete(room);
  }

  members(room: string): readonly Member[] {
    return [...(this._members.get(room) ?? [])];
  }

  /** Names of the rooms that have members. */
  names(): string[] {
    return [...this._members.keys()];
  }
}
